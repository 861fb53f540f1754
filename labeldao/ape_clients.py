"""The Ape side of `ape run task` and `ape run node` (and the juror CLI's
MetaEvidence): events through the node's `eth_getLogs`, contracts from the
deployment record, and the click plumbing every command shares (options,
connection, one-line errors: `ape_command`, the one click wrapper every Ape
CLI uses, scripts/court.py and scripts/govern.py included).

The clients themselves (`labeldao.tasks_client`, `labeldao.nodes_client`)
know nothing of Ape; this module builds them on `labeldao.ape_backend`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from eth_utils import to_checksum_address

from labeldao.ape_backend import ApeBackend, require_code
from labeldao.client_base import JurorError, Reverted
from labeldao.deployments import DeploymentRecord, Network, load_record
from labeldao.metaevidence import MetaEvidenceError, MetaEvidenceReader, RawLog
from labeldao.store import StoreError, default_directory
from labeldao.units import parse_ldao


class ApeLogs:
    """`LogSource` over the connected node's `eth_getLogs`."""

    def __init__(self, provider: Any, from_block: int = 0) -> None:
        self.provider = provider
        self.from_block = from_block

    def get_logs(self, address: str, topics: Sequence[bytes | None]) -> list[RawLog]:
        query = {
            "address": to_checksum_address(address),
            "fromBlock": self.from_block,
            "toBlock": "latest",
            "topics": [None if t is None else "0x" + t.hex() for t in topics],
        }
        return [
            RawLog(
                to_checksum_address(entry["address"]),
                tuple(bytes(t) for t in entry["topics"]),
                bytes(entry["data"]),
                int(entry["blockNumber"]),
                int(entry["logIndex"]),
            )
            for entry in self.provider.web3.eth.get_logs(query)
        ]


@dataclass
class Connection:
    """What a command gets: the provider, the backend, the deployment."""

    provider: Any
    backend: ApeBackend
    deployment: DeploymentRecord
    project: Any

    def contract(self, name: str, address: str) -> Any:
        require_code(self.provider, address, str(self.deployment.path))
        return getattr(self.project, name).at(address)

    def logs(self) -> ApeLogs:
        return ApeLogs(self.provider, self.deployment.first_block)


@dataclass
class Session:
    """What a command receives: its client and the connection it runs on."""

    client: Any
    connection: Connection
    store: Path

    def reader(self) -> MetaEvidenceReader:
        """Reads MetaEvidence through the node's logs; relative URIs are
        resolved against the working directory and the project."""
        return MetaEvidenceReader(
            self.connection.logs(), roots=(Path.cwd(), self.connection.project.path)
        )


def connect(network: Any, provider: Any, account: Any, deployment: Path | None) -> Connection:
    from ape import project

    record = load_record(
        Network.of(network, provider),
        provider.chain_id,
        given=deployment,
        root=project.path / "deployments",
    )
    return Connection(provider, ApeBackend(provider, account), record, project)


def console_width() -> int | None:
    """120 columns when not on a terminal (logs, pipes), else the terminal's."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return None
    return 120


class LdaoAmount(click.ParamType):
    """An amount of LDAO such as `1000` or `12.5`, converted to base units."""

    name = "LDAO"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_ldao(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


ACCOUNT_REQUIRED = (
    "--account is required: an alias from `ape accounts list`, or TEST::N on a local network"
)
ACCOUNT_HELP = (
    "the acting account: an alias from `ape accounts list`, or TEST::N on a local network"
)


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turns every error a user can cause into a one-line message and exit
    code 1 (never a traceback): refusals of the clients, the store and
    MetaEvidence as they are, a revert the client did not explain as
    `reverted: ...`, Ape's errors with their type, Ctrl-C as `interrupted`
    (the stores are consistent at every step, so stopping loses nothing)."""
    from ape.exceptions import ApeException

    try:
        yield
    except Reverted as exc:
        raise click.ClickException(f"reverted: {exc}") from None
    except (JurorError, StoreError, MetaEvidenceError) as exc:
        raise click.ClickException(str(exc)) from None
    except ApeException as exc:
        raise click.ClickException(f"{type(exc).__name__}: {exc}") from None
    except KeyboardInterrupt:
        raise click.ClickException("interrupted") from None


def deployment_option() -> Callable[[Callable], Callable]:
    return click.option(
        "--deployment",
        type=click.Path(dir_okay=False, path_type=Path),
        help="deployment record [default: deployments/<network>.json]",
    )


def store_option(help: str) -> Callable[[Callable], Callable]:
    return click.option("--store", type=click.Path(file_okay=False, path_type=Path), help=help)


def ape_command(
    group: click.Group,
    name: str,
    build: Callable[..., Any],
    *,
    options: Sequence[Callable[[Callable], Callable]] = (),
    needs_account: bool = True,
    account_help: str | None = None,
) -> Callable[[Callable], click.Command]:
    """The one click wrapper of the Ape CLIs (`ape run court|task|node|govern`):
    a subcommand `name` of `group` connected to a network (`--network`), with
    `--account` and the CLI's own `options`, that receives
    `build(network, provider, account, **those options)` (its client) as its
    first argument, and errors as one line (`cli_errors`)."""
    from ape.cli import ConnectedProviderCommand, account_option

    def decorate(function: Callable) -> click.Command:
        own: list[str] = []  # the names of `options`, passed to `build`

        def run(network: Any, provider: Any, account: Any, **kwargs: Any) -> None:
            with cli_errors():
                values = {key: kwargs.pop(key) for key in own}
                if needs_account and account is None:
                    raise click.UsageError(ACCOUNT_REQUIRED)
                function(build(network, provider, account, **values), **kwargs)

        # Not functools.wraps: Ape reads the callback's own signature to pass
        # `network` and `provider`, and `wraps` would show it `function`'s.
        run.__doc__ = function.__doc__
        run.__name__ = function.__name__
        run.__click_params__ = list(getattr(function, "__click_params__", []))  # type: ignore[attr-defined]
        before = len(run.__click_params__)  # type: ignore[attr-defined]
        for option in options:
            run = option(run)
        own.extend(p.name for p in run.__click_params__[before:])  # type: ignore[attr-defined]
        run = account_option(prompt=False)(run)
        if account_help is not None:
            run.__click_params__[-1].help = account_help  # type: ignore[attr-defined]
        return group.command(name, cls=ConnectedProviderCommand)(run)

    return decorate


def command_factory(
    group: click.Group, build: Callable[[Connection, Path], Any]
) -> Callable[..., Callable[[Callable], click.Command]]:
    """`@factory(name, needs_account=True)`: a subcommand of `group` (an
    `ape_command`) with `--deployment` and `--store`, that receives
    `build(connection, store)` as its first argument."""

    def connected(
        network: Any, provider: Any, account: Any, deployment: Path | None, store: Path | None
    ) -> Any:
        return build(connect(network, provider, account, deployment), default_directory(store))

    def factory(name: str, *, needs_account: bool = True) -> Callable[[Callable], click.Command]:
        return ape_command(
            group,
            name,
            connected,
            options=(
                store_option(
                    "where your files are kept (gold secrets, documents to publish) "
                    "[default: $LABELDAO_STORE or ~/.labeldao]"
                ),
                deployment_option(),
            ),
            needs_account=needs_account,
            account_help=ACCOUNT_HELP,
        )

    return factory

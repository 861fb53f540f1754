"""`ape run deploy`: deploy LabelDAO to the chosen network, wire every role,
hand admin to the timelock and leave the deployer with no role.

    ape run deploy --network ethereum:local:foundry
    ape run deploy --network ethereum:sepolia:node --account my-deployer
    ape run deploy --network arbitrum:sepolia:node --account my-deployer

Parameters come from `deployments/params/<network>.toml` (`sepolia`,
`arbitrum-sepolia`, `base-sepolia`, `optimism-sepolia`); the result is
recorded in `deployments/<network>.json` after every step, so re-running
after an interruption finishes what is missing and redeploys nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from ape import accounts, chain, project
from ape.api import AccountAPI, NetworkAPI, ProviderAPI
from ape.cli import ConnectedProviderCommand, account_option

from labeldao.abi_export import AbiError, record_fields
from labeldao.ape_system import ApeChain, ape_containers
from labeldao.config import (
    ParamsError,
    check_randomness_for_chain,
    load_params,
    params_path,
)
from labeldao.deploy import DeployError, Deployment, Engine, Record, publish_sources
from labeldao.deployments import Network
from labeldao.paths import REPO_ROOT
from labeldao.solidity import write_verification_input
from labeldao.system import (
    GOVERNOR,
    GOVERNOR_SOURCE,
    contract_names,
    leftover_roles,
    system_steps,
)

# ape-etherscan publishes what Ape compiled; the Governor is Solidity compiled
# with solc-js (no ape-solidity: it downloads compilers).
GOVERNOR_NOT_PUBLISHABLE = (
    "Solidity compiled with solc-js outside Ape, which ape-etherscan cannot publish; "
    "its standard JSON input is written for the explorer's form (below)"
)


def _network_slug(network: NetworkAPI, provider: ProviderAPI) -> str:
    """`sepolia`, `arbitrum-sepolia`, `local-foundry`: names the record and,
    on a public network, the parameter file."""
    return Network.of(network, provider).slug


def _account(account: AccountAPI | None, is_local: bool) -> AccountAPI:
    if account is not None:
        return account
    if is_local:
        return accounts.test_accounts[0]
    raise click.UsageError("--account is required on a public network (see `ape accounts list`)")


@click.command(cls=ConnectedProviderCommand)
@account_option(prompt=False)
@click.option("--params", "params_file", type=click.Path(path_type=Path), help="parameter file")
@click.option("--record", "record_file", type=click.Path(path_type=Path), help="deployment record")
@click.option("--verify", is_flag=True, help="verify sources on the block explorer")
def cli(
    network: NetworkAPI,
    provider: ProviderAPI,
    account: AccountAPI | None,
    params_file: Path | None,
    record_file: Path | None,
    verify: bool,
) -> None:
    """Deploy (or finish deploying) LabelDAO on the connected network."""
    is_local = network.name == "local"
    deployer = _account(account, is_local)
    slug = _network_slug(network, provider)
    params_file = params_file or params_path("local" if is_local else slug)
    try:
        params = load_params(
            params_file,
            is_local=is_local,
            test_account=lambda i: str(accounts.test_accounts[i].address),
        )
        check_randomness_for_chain(params, chain.chain_id)
    except ParamsError as exc:
        raise click.ClickException(str(exc)) from None

    record = Record.load(record_file or REPO_ROOT / "deployments" / f"{slug}.json")
    engine = Engine(
        record,
        ApeChain(),
        str(deployer.address),
        log=click.echo,
        crash_after=os.environ.get("LABELDAO_DEPLOY_CRASH_AFTER"),
    )
    try:
        engine.check_record_matches_chain(chain.chain_id)
        record.data.update(
            network=slug,
            deployer=str(deployer.address),
            compiler={"vyper": "0.4.3", "snekmate": "0.1.2"},
            params=params.model_dump(),
        )
        plan = Deployment(ape_containers(project, contract_names(params)), deployer, params, engine)
        genesis = chain.blocks.head.timestamp  # the registry's epoch 0 starts now
        engine.run(system_steps(plan, genesis))
        for name, entry in record.contracts.items():
            entry.update(record_fields(name))  # abi/<Name>.json and its compiler
        record.save()
        leftover = leftover_roles(plan)
    except (DeployError, AbiError) as exc:
        raise click.ClickException(str(exc)) from None
    if leftover:
        raise click.ClickException(f"the deployer still holds {leftover}")
    click.echo(f"deployer {deployer.address} holds no role; record: {record.path}")
    for name, entry in record.contracts.items():
        click.echo(f"  {name:<22} {entry['address']}")
    if "ChainlinkVRFRandomness" in record.contracts:
        r, vrf = params.randomness, record.address("ChainlinkVRFRandomness")
        click.echo(
            f"next: the owner of VRF subscription {r.subscription_id} adds "
            f"{vrf} as a consumer (coordinator {r.coordinator})"
        )
    if verify:
        _verify(network, record)


def _verify(network: NetworkAPI, record: Record) -> None:
    if network.name == "local":
        raise click.ClickException("--verify: nothing to verify on a local network")
    explorer = network.explorer
    if explorer is None:
        raise click.ClickException(
            "--verify: no block-explorer plugin for this network (pip install ape-etherscan)"
        )
    from ape.exceptions import ApeException

    failed = publish_sources(
        record.contracts,
        explorer.publish_contract,
        unpublishable={GOVERNOR: GOVERNOR_NOT_PUBLISHABLE},
        errors=(ApeException,),
        log=click.echo,
    )
    if GOVERNOR in record.contracts:
        path = record.path.with_name(f"{record.path.stem}.{GOVERNOR}.input.json")
        args = record.contracts[GOVERNOR]["args"]
        click.echo(write_verification_input(REPO_ROOT / GOVERNOR_SOURCE, GOVERNOR, args, path))
    if failed:
        raise click.ClickException(
            f"--verify: {', '.join(failed)} not verified (reasons above); run the same "
            "command again to retry (nothing is redeployed)"
        )

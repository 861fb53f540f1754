"""The browser tests' wallet: an EIP-1193 provider injected into the page
(before any of its scripts run) that forwards every request to the real
anvil node, whose accounts are unlocked: eth_sendTransaction and
eth_signTypedData_v4 are signed by anvil with the account's test key.

`chain_id` makes the wallet claim another chain (the wrong-network test);
it then refuses `wallet_switchEthereumChain` as a wallet that does not know
the chain does (error 4902). `window.ethereum.calls` lists every method
the page asked for, so a test can check that nothing was sent.
"""

from __future__ import annotations

import json
from typing import Any

from eth_account import Account

from labeldao.paths import REPO_ROOT

MNEMONIC = "test test test test test test test test test test test junk"  # anvil's default

_SCRIPT = """
(() => {
  const config = %s;
  const calls = [];
  let id = 0;
  async function rpc(method, params) {
    const response = await fetch(config.rpc, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
    });
    const body = await response.json();
    if (body.error) {
      const error = new Error(body.error.message);
      error.code = body.error.code;
      error.data = body.error.data;
      throw error;
    }
    return body.result;
  }
  window.ethereum = {
    calls,
    async request({ method, params = [] }) {
      calls.push(method);
      if (method === "eth_requestAccounts" || method === "eth_accounts") return [config.account];
      if (method === "eth_chainId" && config.chainId) return config.chainId;
      if (method === "wallet_switchEthereumChain" && config.chainId) {
        const error = new Error("Unrecognized chain ID: the test wallet knows one chain");
        error.code = 4902;
        throw error;
      }
      return rpc(method, params);
    },
    on() {},
  };
})();
"""


def wallet_script(rpc: str, account: str, chain_id: int | None = None) -> str:
    """The page script of a wallet holding `account` on the node at `rpc`."""
    config = {
        "rpc": rpc,
        "account": account,
        "chainId": None if chain_id is None else hex(chain_id),
    }
    return _SCRIPT % json.dumps(config)


def anvil_key(index: int) -> bytes:
    """The private key of anvil's default account `index`."""
    Account.enable_unaudited_hdwallet_features()
    return bytes(Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}").key)


def open_with_wallet(page, url: str, rpc: str, account: str, chain_id: int | None = None):
    """Opens `url` with the wallet injected and connects it; returns the page."""
    page.add_init_script(script=wallet_script(rpc, account, chain_id))
    page.goto(url)
    page.locator("#wallet-connect").click()
    page.wait_for_function("() => document.getElementById('wallet-status').textContent.length > 0")
    return page


def court_lens(court: Any) -> Any:
    """The court's lens (`QualityCourt.LENS()`) as a web3 contract: the
    court's decoding views (`juror_status`, `round_info`, `dispute_info`,
    `juror_round`, `votes`) live there,
    called with the court's address first."""
    abi = json.loads((REPO_ROOT / "abi" / "QualityCourtLens.json").read_text())
    return court.w3.eth.contract(address=court.functions.LENS().call(), abi=abi)

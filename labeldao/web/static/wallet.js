// The wallet pages' browser side: an injected EIP-1193 wallet
// (window.ethereum) signs and sends; call data is built here from the
// contracts' ABIs (served from abi/); the server never sees a key, a salt or
// a vote. Every action is simulated (eth_call) before it is sent, so a
// refused action shows the contract's revert string and sends nothing.

import {
  bytesToHex,
  decode,
  encode,
  encodeCall,
  findFunction,
  hexToBytes,
  keccak,
  keccakText,
  revertReason,
  strip0x,
} from "./abi.js";

const ZERO32 = "0x" + "00".repeat(32);
const LDAO = 10n ** 18n;
const DAY = 86400n;

/**
 * Gas a call may need whatever the estimate said, by "Contract.function".
 * The court's draw: the seed comes from the block the draw is mined in
 * (prevrandao on local chains), not the block `eth_estimateGas` ran on, so
 * an estimate over skipped attempts can be followed by a mined draw that
 * seats jurors new to the round (fresh storage) and fixes the timetable;
 * measured up to 2.25x the estimate on a panel of 3. The floor covers
 * `max_seats` seats at their worst (a cold juror, a deep tree) plus the
 * schedule.
 */
const GAS_FLOOR = {
  "QualityCourt.draw": (args) => 200_000n + 110_000n * BigInt(args[1]),
};

export class Refused extends Error {}

/** One line saying why a JSON-RPC call failed: the revert string when there is one. */
export function reasonOf(error) {
  const candidates = [error?.data, error?.data?.data, error?.error?.data, error?.data?.originalError?.data];
  for (const data of candidates) {
    const reason = revertReason(data);
    if (reason) return reason;
  }
  const message = String(error?.message ?? error);
  const reverted = message.match(/execution reverted:?\s*(.*)/);
  if (reverted && reverted[1]) return reverted[1].split("\n")[0];
  return message.split("\n")[0];
}

export async function loadDeployment() {
  const response = await fetch("/deployment.json");
  if (!response.ok) throw new Refused("this ledger records no deployment: index one first");
  return response.json();
}

const abiCache = new Map();
export async function loadAbi(name) {
  if (!abiCache.has(name)) {
    abiCache.set(name, fetch(`/abi/${name}.json`).then((r) => r.json()));
  }
  return abiCache.get(name);
}

export class Wallet {
  constructor(provider, deployment) {
    this.provider = provider;
    this.deployment = deployment;
    this.account = null;
  }

  request(method, params = []) {
    return this.provider.request({ method, params });
  }

  address(contract) {
    const address = this.deployment.contracts[contract];
    if (!address) throw new Refused(`no ${contract} in this deployment`);
    return address;
  }

  /** The court's lens (its read-only views), named by the court itself. */
  async courtLens() {
    if (!this.deployment.contracts.QualityCourtLens) {
      this.deployment.contracts.QualityCourtLens = await this.call("QualityCourt", "LENS");
    }
    return this.deployment.contracts.QualityCourtLens;
  }

  async connect() {
    const accounts = await this.request("eth_requestAccounts");
    if (!accounts?.length) throw new Refused("the wallet shared no account");
    this.account = accounts[0].toLowerCase();
    return this.account;
  }

  async chainId() {
    return Number(BigInt(await this.request("eth_chainId")));
  }

  /** The wallet is on the deployment's chain, or a switch was asked for and
   * done; otherwise Refused with a message saying which chain to pick. */
  async ensureChain() {
    const wanted = this.deployment.chain_id;
    let current = await this.chainId();
    if (current === wanted) return;
    try {
      await this.request("wallet_switchEthereumChain", [{ chainId: "0x" + wanted.toString(16) }]);
      current = await this.chainId();
    } catch (_declined) {
      // the message below says what to do
    }
    if (current !== wanted) {
      throw new Refused(
        `wrong network: your wallet is on chain ${current}, LabelDAO here is on chain ${wanted} ` +
          `(${this.deployment.network}); switch your wallet to chain ${wanted}. Nothing was sent.`,
      );
    }
  }

  async ensureAccount() {
    if (!this.account) await this.connect();
    await this.ensureChain();
    return this.account;
  }

  async now() {
    const block = await this.request("eth_getBlockByNumber", ["latest", false]);
    return BigInt(block.timestamp);
  }

  /** A view call: the decoded outputs (one value when there is one output). */
  async call(contract, name, args = []) {
    const abi = await loadAbi(contract);
    const data = encodeCall(abi, name, args);
    const call = { to: this.address(contract), data };
    if (this.account) call.from = this.account;
    let result;
    try {
      result = await this.request("eth_call", [call, "latest"]);
    } catch (error) {
      throw new Refused(reasonOf(error));
    }
    const values = decode(findFunction(abi, name).outputs, result);
    return values.length === 1 ? values[0] : values;
  }

  /** Simulates `name(args)` from the account: null when it would succeed, else why not. */
  async simulate(contract, name, args, from = this.account) {
    const abi = await loadAbi(contract);
    const call = { to: this.address(contract), data: encodeCall(abi, name, args) };
    if (from) call.from = from;
    try {
      await this.request("eth_call", [call, "latest"]);
      return null;
    } catch (error) {
      return reasonOf(error);
    }
  }

  /** Sends `name(args)` after a successful simulation; the mined receipt. */
  async send(contract, name, args, log = () => {}) {
    await this.ensureAccount();
    const refusal = await this.simulate(contract, name, args);
    if (refusal !== null) throw new Refused(refusal);
    const abi = await loadAbi(contract);
    const tx = { from: this.account, to: this.address(contract), data: encodeCall(abi, name, args) };
    let hash;
    try {
      // Twice the node's estimate (only the gas used is paid), and never
      // less than the call's own worst case where its cost depends on the
      // block it is mined in (GAS_FLOOR).
      const estimate = BigInt(await this.request("eth_estimateGas", [tx]));
      const floor = GAS_FLOOR[`${contract}.${name}`]?.(args) ?? 0n;
      tx.gas = "0x" + (estimate * 2n > floor ? estimate * 2n : floor).toString(16);
      hash = await this.request("eth_sendTransaction", [tx]);
    } catch (error) {
      throw new Refused(reasonOf(error));
    }
    log(`${contract}.${name} sent: ${hash}`);
    for (;;) {
      const receipt = await this.request("eth_getTransactionReceipt", [hash]);
      if (receipt) {
        if (BigInt(receipt.status) !== 1n) {
          if (BigInt(receipt.gasUsed) === BigInt(tx.gas)) {
            throw new Refused(`${contract}.${name} ran out of gas in ${hash} (limit ${BigInt(tx.gas)})`);
          }
          throw new Refused(`${contract}.${name} reverted on-chain in ${hash} (the state changed since the check)`);
        }
        return receipt;
      }
      await new Promise((done) => setTimeout(done, 300));
    }
  }

  /** Approves `amount` to `spender` (a contract name) when the allowance is short. */
  async approve(spender, amount, log = () => {}) {
    await this.ensureAccount();
    const to = this.address(spender);
    const allowance = await this.call("RewardToken", "allowance", [this.account, to]);
    if (allowance >= amount) return;
    const balance = await this.call("RewardToken", "balanceOf", [this.account]);
    if (balance < amount) {
      throw new Refused(`this needs ${ldao(amount)} LDAO and the account holds ${ldao(balance)}`);
    }
    log(`approving ${ldao(amount)} LDAO to ${spender}`);
    await this.send("RewardToken", "approve", [to, amount], log);
  }

  async signTyped(typed) {
    await this.ensureAccount();
    return this.request("eth_signTypedData_v4", [this.account, JSON.stringify(typed)]);
  }
}

export function ldao(amount) {
  const whole = amount / LDAO;
  const fraction = ((amount % LDAO) * 10000n) / LDAO;
  return fraction ? `${whole}.${fraction.toString().padStart(4, "0").replace(/0+$/, "")}` : `${whole}`;
}

export function parseLdao(text) {
  const match = String(text).trim().match(/^(\d+)(?:\.(\d{1,18}))?$/);
  if (!match) throw new Refused(`not an LDAO amount: "${text}"`);
  return BigInt(match[1]) * LDAO + BigInt((match[2] || "").padEnd(18, "0"));
}

// -- the juror's salt and commitment, exactly as labeldao/court.py ------------------

export function saltMessage(court, chainId, disputeId, round) {
  return {
    types: {
      EIP712Domain: [
        { name: "name", type: "string" },
        { name: "version", type: "string" },
        { name: "chainId", type: "uint256" },
        { name: "verifyingContract", type: "address" },
      ],
      JurorSalt: [
        { name: "dispute_id", type: "uint256" },
        { name: "round", type: "uint256" },
      ],
    },
    primaryType: "JurorSalt",
    domain: { name: "LabelDAO QualityCourt", version: "1", chainId, verifyingContract: court },
    message: { dispute_id: Number(disputeId), round: Number(round) },
  };
}

/** keccak256(r || s || v) of a 65-byte signature (v as 27/28, as eth_account gives it). */
export function saltFromSignature(signature) {
  const bytes = hexToBytes(signature);
  if (bytes.length !== 65) throw new Refused("the wallet's signature is not 65 bytes");
  if (bytes[64] < 27) bytes[64] += 27;
  return keccak(bytes);
}

export function commitment(disputeId, round, juror, choice, salt) {
  const types = ["uint256", "uint256", "address", "uint256", "bytes32"].map((type) => ({ type }));
  return keccak(hexToBytes(encode(types, [disputeId, round, juror, choice, salt])));
}

export async function deriveSalt(wallet, disputeId, round) {
  const court = wallet.address("QualityCourt");
  const message = saltMessage(court, wallet.deployment.chain_id, disputeId, round);
  return saltFromSignature(await wallet.signTyped(message));
}

/** Checks once per account (remembered in this browser) that the wallet signs
 * the salt message deterministically, as the CLI checks once per store:
 * otherwise a salt could not be re-derived for the reveal. */
async function checkDeterministic(wallet, disputeId, round, salt) {
  const key = `labeldao:deterministic:${wallet.deployment.chain_id}:${wallet.account}`;
  if (window.localStorage.getItem(key)) return;
  if ((await deriveSalt(wallet, disputeId, round)) !== salt) {
    throw new Refused(
      "your wallet signed the same salt message twice with different signatures: salts " +
        "derived from it could not be recovered. Use a wallet that signs deterministically " +
        "(RFC 6979), as Ethereum wallets do",
    );
  }
  window.localStorage.setItem(key, "1");
}

export async function commitVote(wallet, disputeId, round, choice, log) {
  await wallet.ensureAccount();
  const salt = await deriveSalt(wallet, disputeId, round);
  await checkDeterministic(wallet, disputeId, round, salt);
  const digest = commitment(disputeId, round, wallet.account, choice, salt);
  await wallet.send("QualityCourt", "commit", [disputeId, round, digest], log);
  return digest;
}

/** Reveals the committed vote: the salt re-derived from the wallet, the
 * choice found by trying each against the commitment on-chain (as the CLI). */
export async function revealVote(wallet, disputeId, round, log) {
  await wallet.ensureAccount();
  await wallet.courtLens();
  const vote = await wallet.call("QualityCourtLens", "juror_round", [
    wallet.address("QualityCourt"),
    disputeId,
    round,
    wallet.account,
  ]);
  if (!vote.committed) throw new Refused(`you have no commitment in dispute ${disputeId} round ${round}`);
  const info = await wallet.call("QualityCourtLens", "dispute_info", [wallet.address("QualityCourt"), disputeId]);
  const salt = await deriveSalt(wallet, disputeId, round);
  const prefix = strip0x(vote.commitment_prefix).slice(0, 56);
  for (let choice = 0n; choice <= info.choices; choice++) {
    if (strip0x(commitment(disputeId, round, wallet.account, choice, salt)).slice(0, 56) === prefix) {
      await wallet.send("QualityCourt", "reveal", [disputeId, round, choice, salt], log);
      return choice;
    }
  }
  throw new Refused(
    "your commitment matches no choice with the salt your wallet derives: it was made with " +
      "another salt (another tool?); reveal it with the juror CLI's --choice and --salt",
  );
}

// -- approvals the actions need (what the CLIs approve) --------------------------------

const APPROVALS = {
  async task_cost(wallet, args) {
    return ["TaskEscrow", await wallet.call("TaskEscrow", "task_cost", [args.reward])];
  },
  async task_stake(wallet, args) {
    const task = await wallet.call("TaskEscrow", "tasks", [args.task_id]);
    return ["TaskEscrow", task.stake];
  },
  async arbitration_cost(wallet, args) {
    const task = await wallet.call("TaskEscrow", "tasks", [args.task_id]);
    const params = await wallet.call("TaskEscrow", "params", [task.params_id]);
    return ["TaskEscrow", await wallet.call("QualityCourt", "arbitrationCost", [params.arbitrator_extra_data])];
  },
  async node_stake(wallet, args) {
    return ["ComputeRegistry", await wallet.call("ComputeRegistry", "required_stake", [args.tier, args.gpu_count])];
  },
  async stake_amount(_wallet, args) {
    return ["QualityCourt", args.amount];
  },
};

async function fieldValue(wallet, input) {
  const raw = input.value.trim();
  switch (input.dataset.unit) {
    case "ldao":
      return parseLdao(raw);
    case "days":
      return BigInt(Math.round(Number(raw) * 86400));
    case "days-from-now":
      return (await wallet.now()) + BigInt(Math.round(Number(raw) * 86400));
    case "text-hash":
      return raw ? keccakText(raw) : ZERO32;
    case "list":
      return raw ? raw.split(/[\s,]+/).map((n) => BigInt(n)) : [];
    default:
      if (raw === "") throw new Refused(`${input.labels?.[0]?.textContent?.trim() || input.name} is empty`);
      return raw;
  }
}

async function formArgs(wallet, form, fn) {
  const named = {};
  const args = [];
  for (const param of fn.inputs) {
    const input = form.elements.namedItem(param.name);
    if (!input) throw new Error(`the form has no field ${param.name}`);
    const value = await fieldValue(wallet, input);
    named[param.name] = value;
    args.push(value);
  }
  return [args, named];
}

function show(output, text, kind) {
  output.textContent = text;
  output.className = `result ${kind}`;
}

export function bindActionForm(wallet, form) {
  const output = form.querySelector("output");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    const log = (line) => show(output, line, "pending");
    log("checking against the chain…");
    try {
      const { contract, function: name, approve } = form.dataset;
      await wallet.ensureAccount();
      const fn = findFunction(await loadAbi(contract), name);
      const [args, named] = await formArgs(wallet, form, fn);
      if (approve) {
        const [spender, amount] = await APPROVALS[approve](wallet, named);
        await wallet.approve(spender, amount, log);
      }
      const receipt = await wallet.send(contract, name, args, log);
      show(output, `done: ${name} in block ${BigInt(receipt.blockNumber)} (${receipt.transactionHash})`, "ok");
    } catch (error) {
      show(output, `refused: ${error instanceof Refused ? error.message : reasonOf(error)}`, "error");
    } finally {
      button.disabled = false;
    }
  });
}

export function bindJuror(wallet, form) {
  const output = form.querySelector("output");
  const log = (line) => show(output, line, "pending");
  const numbers = () => [BigInt(form.elements.dispute_id.value), BigInt(form.elements.round.value)];
  form.querySelector("[data-vote=commit]").addEventListener("click", async () => {
    log("signing the salt message…");
    try {
      const [disputeId, round] = numbers();
      const picked = form.querySelector("input[name=choice]:checked");
      if (!picked) throw new Refused("pick a choice first");
      await commitVote(wallet, disputeId, round, BigInt(picked.value), log);
      show(output, `committed in dispute ${disputeId} round ${round}; reveal in the reveal period`, "ok");
    } catch (error) {
      show(output, `refused: ${error instanceof Refused ? error.message : reasonOf(error)}`, "error");
    }
  });
  form.querySelector("[data-vote=reveal]").addEventListener("click", async () => {
    log("re-deriving the salt…");
    try {
      const [disputeId, round] = numbers();
      const choice = await revealVote(wallet, disputeId, round, log);
      show(output, `revealed choice ${choice} in dispute ${disputeId} round ${round}`, "ok");
    } catch (error) {
      show(output, `refused: ${error instanceof Refused ? error.message : reasonOf(error)}`, "error");
    }
  });
}

/** Shows each maintenance button whose action would succeed now (simulated). */
export async function revealDueButtons(wallet, root = document) {
  for (const button of root.querySelectorAll("button[data-maintenance]")) {
    const { contract, function: name } = button.dataset;
    const args = JSON.parse(button.dataset.args).map((a) => BigInt(a));
    const refusal = await wallet.simulate(contract, name, args, wallet.account ?? undefined);
    button.hidden = refusal !== null;
    button.title = refusal ?? "due now: anyone may press it";
    if (!button.dataset.bound) {
      button.dataset.bound = "1";
      button.addEventListener("click", async () => {
        const output = button.parentElement.querySelector("output");
        show(output, "checking against the chain…", "pending");
        try {
          const receipt = await wallet.send(contract, name, args, (l) => show(output, l, "pending"));
          show(output, `done: ${name} in block ${BigInt(receipt.blockNumber)}`, "ok");
          await revealDueButtons(wallet, root);
        } catch (error) {
          show(output, `refused: ${error instanceof Refused ? error.message : reasonOf(error)}`, "error");
        }
      });
    }
  }
  if (!wallet.account) return;
  for (const cell of root.querySelectorAll(".due-actions")) {
    const due = [...cell.querySelectorAll("button[data-maintenance]")].some((b) => !b.hidden);
    const note = cell.querySelector(".nothing-due");
    note.textContent = "nothing due now";
    note.hidden = due;
  }
}

// Chain time minus this computer's clock, once a wallet tells the chain's time.
let clockOffset = 0;

export function startCountdowns(root = document) {
  const tick = () => {
    const now = Date.now() / 1000 + clockOffset;
    for (const element of root.querySelectorAll("[data-deadline]")) {
      const left = Number(element.dataset.deadline) - now;
      element.textContent = left <= 0 ? "passed" : `in ${span(left)}`;
    }
  };
  tick();
  setInterval(tick, 1000);
}

function span(seconds) {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return d ? `${d}d ${h}h ${m}m` : h ? `${h}h ${m}m ${s}s` : `${m}m ${s}s`;
}

/** Wires the page: the connect button, the chain check, forms and buttons. */
export async function start() {
  startCountdowns();
  const status = document.getElementById("wallet-status");
  const connect = document.getElementById("wallet-connect");
  const forms = document.querySelectorAll("form.action");
  const jurorForms = document.querySelectorAll("form.juror-vote");
  const wantsWallet = forms.length || jurorForms.length || document.querySelector("[data-maintenance]");
  if (!wantsWallet) return;
  if (!window.ethereum) {
    status.textContent = "No wallet found: install a browser wallet (EIP-1193) to act from this page.";
    status.className = "wallet-status error";
    return;
  }
  let deployment;
  try {
    deployment = await loadDeployment();
  } catch (error) {
    status.textContent = error.message;
    status.className = "wallet-status error";
    return;
  }
  const wallet = new Wallet(window.ethereum, deployment);
  window.labeldao = { wallet, commitment, deriveSalt, saltMessage };
  forms.forEach((form) => bindActionForm(wallet, form));
  jurorForms.forEach((form) => bindJuror(wallet, form));
  const refresh = async () => {
    try {
      await wallet.connect();
      await wallet.ensureChain();
      clockOffset = Number(await wallet.now()) - Date.now() / 1000;
      status.textContent = `connected: ${wallet.account} on chain ${deployment.chain_id}`;
      status.className = "wallet-status ok";
      document.dispatchEvent(new CustomEvent("labeldao:connected", { detail: wallet.account }));
      await revealDueButtons(wallet);
    } catch (error) {
      status.textContent = error instanceof Refused ? error.message : reasonOf(error);
      status.className = "wallet-status error";
    }
  };
  connect.hidden = false;
  connect.addEventListener("click", refresh);
  window.ethereum.on?.("chainChanged", refresh);
  window.ethereum.on?.("accountsChanged", refresh);
  await revealDueButtons(wallet).catch(() => {});
}

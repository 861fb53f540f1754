// Compiles a Solidity anchor with solc-js (npm `solc`, pinned), resolving
// imports from node_modules; prints {abi, bytecode} as JSON on stdout, or,
// with --standard-input, the compiler's standard JSON input with every
// imported source (what a block explorer's "Standard-Json-Input"
// verification recompiles; outputSelection does not change the bytecode).
// Usage: node labeldao/compile_solidity.js <file.sol> <ContractName> [--standard-input]
const fs = require("fs");
const path = require("path");
const solc = require("solc");

const [file, name, mode] = process.argv.slice(2);
const root = path.resolve(__dirname, "..");
const input = {
  language: "Solidity",
  sources: { [path.basename(file)]: { content: fs.readFileSync(file, "utf8") } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};
// Chainlink's sources import pinned OpenZeppelin copies as
// "@openzeppelin/contracts@X.Y.Z/..."; npm installs them as the alias
// packages "@openzeppelin/contracts-X.Y.Z" (Chainlink's remappings.txt).
function remap(p) {
  return p.replace(/^@openzeppelin\/contracts@(\d+\.\d+\.\d+)\//, "@openzeppelin/contracts-$1/");
}
const imported = {};
function findImports(p) {
  const full = path.join(root, "node_modules", remap(p));
  if (!fs.existsSync(full)) return { error: `not found: ${p}` };
  imported[p] = { content: fs.readFileSync(full, "utf8") };
  return { contents: imported[p].content };
}
const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (out.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  console.error(errors.map((e) => e.formattedMessage).join("\n"));
  process.exit(1);
}
// The contract may come from an import (a file that only imports a vendor's
// contract, such as Chainlink's VRF coordinator mock).
const unit = [path.basename(file), ...Object.keys(out.contracts)].find((u) => out.contracts[u]?.[name]);
if (!unit) {
  console.error(`no contract ${name} in ${file} or its imports`);
  process.exit(1);
}
const c = out.contracts[unit][name];
// (No process.exit after a write: it can cut a large write to a pipe short.)
const result =
  mode === "--standard-input"
    ? { ...input, sources: { ...input.sources, ...imported } }
    : { abi: c.abi, bytecode: c.evm.bytecode.object, solc: solc.version() };
process.stdout.write(JSON.stringify(result));

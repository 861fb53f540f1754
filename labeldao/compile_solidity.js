// Compiles a Solidity anchor with solc-js (npm `solc`, pinned), resolving
// imports from node_modules; prints {abi, bytecode} as JSON on stdout.
// Usage: node labeldao/compile_solidity.js <file.sol> <ContractName>
const fs = require("fs");
const path = require("path");
const solc = require("solc");

const [file, name] = process.argv.slice(2);
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
function findImports(p) {
  const full = path.join(root, "node_modules", remap(p));
  return fs.existsSync(full) ? { contents: fs.readFileSync(full, "utf8") } : { error: `not found: ${p}` };
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
process.stdout.write(JSON.stringify({ abi: c.abi, bytecode: c.evm.bytecode.object, solc: solc.version() }));

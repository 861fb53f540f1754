// A small Solidity ABI encoder and decoder (what the wallet pages need:
// uintN/intN, address, bool, bytesN, bytes, string, T[], T[k], tuples),
// with keccak-256 from the vendored js-sha3 (static/vendor, MIT license),
// which sets window.keccak256. No library is fetched at run time.

const WORD = 64; // hex digits in 32 bytes

export function strip0x(hex) {
  return String(hex).startsWith("0x") ? String(hex).slice(2) : String(hex);
}

export function hexToBytes(hex) {
  const digits = strip0x(hex);
  if (digits.length % 2 || /[^0-9a-fA-F]/.test(digits)) {
    throw new Error(`not hex bytes: ${hex}`);
  }
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes) {
  return "0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** keccak-256 of bytes (Uint8Array or 0x hex), as 0x hex. */
export function keccak(bytes) {
  const data = typeof bytes === "string" ? hexToBytes(bytes) : bytes;
  return "0x" + window.keccak256(data);
}

/** keccak-256 of a text's UTF-8 bytes. */
export function keccakText(text) {
  return keccak(new TextEncoder().encode(text));
}

function canonical(param) {
  if (param.type.startsWith("tuple")) {
    return `(${param.components.map(canonical).join(",")})${param.type.slice(5)}`;
  }
  return param.type;
}

export function signature(fn) {
  return `${fn.name}(${fn.inputs.map(canonical).join(",")})`;
}

export function selector(fn) {
  return keccakText(signature(fn)).slice(0, 10);
}

function arrayOf(type) {
  const match = type.match(/^(.*)\[(\d*)\]$/);
  return match ? { inner: match[1], length: match[2] === "" ? null : Number(match[2]) } : null;
}

function isDynamic(param) {
  const array = arrayOf(param.type);
  if (array) return array.length === null || isDynamic({ ...param, type: array.inner });
  if (param.type === "bytes" || param.type === "string") return true;
  if (param.type === "tuple") return param.components.some(isDynamic);
  return false;
}

function headSize(param) {
  if (isDynamic(param)) return 32;
  const array = arrayOf(param.type);
  if (array) return array.length * headSize({ ...param, type: array.inner });
  if (param.type === "tuple") return param.components.reduce((sum, c) => sum + headSize(c), 0);
  return 32;
}

const pad = (digits) => digits.padStart(WORD, "0");
const padRight = (digits) => digits.padEnd(Math.ceil(digits.length / WORD) * WORD, "0");

function encodeOne(param, value) {
  const array = arrayOf(param.type);
  if (array) {
    const items = [...value];
    if (array.length !== null && items.length !== array.length) {
      throw new Error(`${param.name || param.type}: ${array.length} items expected`);
    }
    const inner = { ...param, type: array.inner };
    const body = encodeList(items.map(() => inner), items);
    return array.length === null ? pad(items.length.toString(16)) + body : body;
  }
  const type = param.type;
  if (type === "tuple") {
    const values = Array.isArray(value) ? value : param.components.map((c) => value[c.name]);
    return encodeList(param.components, values);
  }
  if (type === "string" || type === "bytes") {
    const bytes = type === "string" ? new TextEncoder().encode(value) : hexToBytes(value);
    return pad(bytes.length.toString(16)) + padRight(strip0x(bytesToHex(bytes)));
  }
  if (type === "address") {
    const digits = strip0x(value).toLowerCase();
    if (!/^[0-9a-f]{40}$/.test(digits)) throw new Error(`${param.name}: not an address: ${value}`);
    return pad(digits);
  }
  if (type === "bool") return pad(value === true || value === "true" || value === 1 ? "1" : "0");
  const fixed = type.match(/^bytes(\d+)$/);
  if (fixed) {
    const digits = strip0x(value);
    if (digits.length !== 2 * Number(fixed[1]) || /[^0-9a-fA-F]/.test(digits)) {
      throw new Error(`${param.name}: ${fixed[1]} bytes of hex expected`);
    }
    return digits.toLowerCase().padEnd(WORD, "0");
  }
  const integer = type.match(/^(u?)int(\d*)$/);
  if (integer) {
    let n = BigInt(value);
    const bits = BigInt(integer[2] || 256);
    if (integer[1] === "u" ? n < 0n || n >= 1n << bits : n < -(1n << (bits - 1n)) || n >= 1n << (bits - 1n)) {
      throw new Error(`${param.name}: ${value} is out of range for ${type}`);
    }
    if (n < 0n) n += 1n << 256n;
    return pad(n.toString(16));
  }
  throw new Error(`unsupported ABI type ${type}`);
}

function encodeList(params, values) {
  if (values.length !== params.length) {
    throw new Error(`${params.length} values expected, got ${values.length}`);
  }
  const heads = [];
  const tails = [];
  let offset = params.reduce((sum, p) => sum + headSize(p), 0);
  params.forEach((param, i) => {
    const encoded = encodeOne(param, values[i]);
    if (isDynamic(param)) {
      heads.push(pad(offset.toString(16)));
      tails.push(encoded);
      offset += encoded.length / 2;
    } else {
      heads.push(encoded);
    }
  });
  return heads.join("") + tails.join("");
}

/** The ABI encoding of `values` as `params` (0x hex). */
export function encode(params, values) {
  return "0x" + encodeList(params, values);
}

const word = (hex, at) => hex.slice(at * 2, at * 2 + WORD);
const number = (hex, at) => Number(BigInt("0x" + word(hex, at)));

function decodeList(params, hex, base) {
  let at = base;
  return params.map((param) => {
    const value = isDynamic(param)
      ? decodeAt(param, hex, base + number(hex, at))
      : decodeAt(param, hex, at);
    at += headSize(param);
    return value;
  });
}

function decodeAt(param, hex, at) {
  const array = arrayOf(param.type);
  if (array) {
    const inner = { ...param, type: array.inner };
    const count = array.length === null ? number(hex, at) : array.length;
    const start = array.length === null ? at + 32 : at;
    return decodeList(Array(count).fill(inner), hex, start);
  }
  const type = param.type;
  if (type === "tuple") {
    const values = decodeList(param.components, hex, at);
    return Object.fromEntries(param.components.map((c, i) => [c.name, values[i]]));
  }
  if (type === "string" || type === "bytes") {
    const length = number(hex, at);
    const data = hex.slice((at + 32) * 2, (at + 32 + length) * 2);
    return type === "string" ? new TextDecoder().decode(hexToBytes(data)) : "0x" + data;
  }
  const digits = word(hex, at);
  if (type === "address") return "0x" + digits.slice(24);
  if (type === "bool") return BigInt("0x" + digits) !== 0n;
  const fixed = type.match(/^bytes(\d+)$/);
  if (fixed) return "0x" + digits.slice(0, 2 * Number(fixed[1]));
  if (type.startsWith("uint")) return BigInt("0x" + digits);
  if (type.startsWith("int")) {
    const n = BigInt("0x" + digits);
    return n >= 1n << 255n ? n - (1n << 256n) : n;
  }
  throw new Error(`unsupported ABI type ${type}`);
}

/** The values of `params` ABI-encoded in `data` (0x hex). */
export function decode(params, data) {
  return decodeList(params, strip0x(data), 0);
}

export function findFunction(abi, name) {
  const fn = abi.find((entry) => entry.type === "function" && entry.name === name);
  if (!fn) throw new Error(`no function ${name} in the ABI`);
  return fn;
}

/** Call data of `name(args)` from the contract's ABI. */
export function encodeCall(abi, name, args) {
  const fn = findFunction(abi, name);
  return selector(fn) + strip0x(encode(fn.inputs, args));
}

const ERROR_STRING = "0x08c379a0"; // Error(string)
const PANIC = "0x4e487b71"; // Panic(uint256)

/** The reason of revert data: the Error(string) text, a panic code, or null. */
export function revertReason(data) {
  if (typeof data !== "string" || !data.startsWith("0x") || data.length < 10) return null;
  const head = data.slice(0, 10).toLowerCase();
  if (head === ERROR_STRING) return decode([{ type: "string" }], "0x" + data.slice(10))[0];
  if (head === PANIC) return `panic 0x${decode([{ type: "uint256" }], "0x" + data.slice(10))[0].toString(16)}`;
  return null;
}

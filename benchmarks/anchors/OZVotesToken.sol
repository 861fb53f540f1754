// SPDX-License-Identifier: MIT
// OpenZeppelin ERC20Votes anchor for `make bench`: OpenZeppelin Contracts
// (npm @openzeppelin/contracts, pinned in package.json) compiled with solc-js,
// unchanged but for an open `mint` so that the benchmark can fund holders.
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

contract OZVotesToken is ERC20, ERC20Permit, ERC20Votes {
    constructor() ERC20("OZ Votes", "OZV") ERC20Permit("OZ Votes") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}

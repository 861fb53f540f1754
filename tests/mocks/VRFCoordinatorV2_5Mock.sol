// SPDX-License-Identifier: MIT
// Chainlink's own VRF v2.5 coordinator mock (npm @chainlink/contracts, pinned
// in package.json), unmodified: this file only imports it so that
// labeldao/solidity.py can compile it. Test code only.
pragma solidity ^0.8.19;

import {VRFCoordinatorV2_5Mock} from "@chainlink/contracts/src/v0.8/vrf/mocks/VRFCoordinatorV2_5Mock.sol";

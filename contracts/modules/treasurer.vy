# pragma version ~=0.4.3
"""
@title The treasury a contract credits its fees and slash shares to
@custom:contract-name treasurer
@license GNU Affero General Public License v3.0 only
@notice One address, changed by PARAMS_ROLE, and one event,
        `TreasuryChanged(previous, treasury)` (also logged at deployment,
        with `previous` zero). What the previous treasury was credited
        stays its own to withdraw.
"""


from . import roles
uses: roles


from . import utils


# @dev Receives fees and the protocol's share of slashes.
treasury: public(address)


# @dev The treasury changed (credits from now on go to the new one).
event TreasuryChanged:
    previous: indexed(address)
    treasury: indexed(address)


@deploy
def __init__(treasury_: address):
    """
    @dev Sets the first treasury.
    @param treasury_ The treasury (not zero).
    """
    self._set_treasury(treasury_)


@external
def set_treasury(new_treasury: address):
    """
    @dev Changes the treasury (PARAMS_ROLE). Credits from now on go to the
         new one; what the previous one was credited stays its own.
    @param new_treasury The new treasury (not zero).
    """
    roles._check_params_role()
    self._set_treasury(new_treasury)


@internal
def _set_treasury(new_treasury: address):
    """
    @dev Checks and records a treasury.
    @param new_treasury The new treasury.
    """
    utils._require(new_treasury != empty(address), "treasury: zero address")
    log TreasuryChanged(previous=self.treasury, treasury=new_treasury)
    self.treasury = new_treasury

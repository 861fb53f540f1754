# pragma version ~=0.4.3
"""
@title Pause of entries, by the guardian
@custom:contract-name pause_guard
@license GNU Affero General Public License v3.0 only
@notice `pause` and `unpause` for GUARDIAN_ROLE over snekmate's
        `pausable`. A contract pauses entries only (new tasks, claims,
        registrations, stakes), never exits. Events are snekmate's
        `Paused(account)` and `Unpaused(account)`, in every contract.
"""


from snekmate.utils import pausable
uses: pausable


from . import roles
uses: roles


@external
def pause():
    """
    @dev Pauses entries (GUARDIAN_ROLE); exits never pause.
    """
    roles._check_guardian_role()
    pausable._pause()


@external
def unpause():
    """
    @dev Lifts the pause (GUARDIAN_ROLE).
    """
    roles._check_guardian_role()
    pausable._unpause()

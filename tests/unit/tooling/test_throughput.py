"""labeldao.assurance.throughput replays exactly what a harness executed."""

import boa

from labeldao.assurance.throughput import CallRecorder, replay
from labeldao.boa_tools import deployer


def test_replay__reproduces_the_recorded_state():
    recorder = CallRecorder()
    with boa.swap_env(boa.Env()), recorder.recording():
        token = deployer("RewardToken").deploy(10**24)
        holder, receiver = boa.env.generate_address(), boa.env.generate_address()
        token.grantRole(token.MINTER_ROLE(), boa.env.eoa)
        token.mint(holder, 1_000)
        boa.env.time_travel(blocks=3)
        token.transfer(receiver, 400, sender=holder)
        assert token.balanceOf(receiver) == 400
    kinds = [m.kind for m in recorder.messages]
    assert kinds == ["deploy"] + ["call"] * 5  # MINTER_ROLE, grantRole, mint, transfer, balanceOf
    assert recorder.messages[-2].block_number == recorder.messages[0].block_number + 3

    fresh = boa.Env()
    seconds = replay(recorder.messages, env=fresh)
    assert seconds > 0
    with boa.swap_env(fresh):
        replayed = deployer("RewardToken").at(token.address)
        assert replayed.balanceOf(receiver) == 400
        assert replayed.balanceOf(holder) == 600


def test_recorder__not_keeping__counts_only():
    recorder = CallRecorder(keep=False)
    with boa.swap_env(boa.Env()), recorder.recording():
        token = deployer("RewardToken").deploy(10**24)
        token.grantRole(token.MINTER_ROLE(), boa.env.eoa)
        token.balanceOf(boa.env.eoa)
    assert recorder.messages == []  # a long run not replayed keeps nothing per message
    assert (recorder.calls, recorder.transactions) == (4, 2)  # deploy, grantRole modify

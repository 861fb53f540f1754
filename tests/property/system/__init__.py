"""The whole-system property suite: one deployment of every LabelDAO
contract (`labeldao.system.deploy_boa`, the plan `ape run deploy` runs), the
accounts of every role, and a stateful machine layered by role
(`test_system_machine.py` composes it)."""

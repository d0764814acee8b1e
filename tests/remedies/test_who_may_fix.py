"""Who may patch: the gate Slack goes through (`check_may_fix` with the user's id and user groups, per
cluster and namespace), and the CLI, which the cluster's own RBAC gates instead."""

from __future__ import annotations

import pytest

from bot.config import DoctorConfig, FixerRule
from bot.domain import Actor, Channel
from bot.errors import RefusedError
from bot.remedies.policy import check_may_fix

ASK_ADMIN = "ask an admin to add you (or your user group) to a `fixers` rule covering it in EKS_DOCTOR_CONFIG"


def slack(user: str, *groups: str) -> Actor:
    return Actor(id=user, channel=Channel.SLACK, usergroups=frozenset(groups))


def allowed(
    config: DoctorConfig, actor: Actor, cluster: str | None = "prod-gz", namespace: str | None = "shop"
) -> bool:
    try:
        check_may_fix(config=config, actor=actor, cluster=cluster, namespace=namespace)
    except RefusedError:
        return False
    return True


def refusal(config: DoctorConfig, actor: Actor, cluster: str | None, namespace: str | None) -> RefusedError:
    with pytest.raises(RefusedError) as refused:
        check_may_fix(config=config, actor=actor, cluster=cluster, namespace=namespace)
    return refused.value


def test_without_fixers_nobody_may_patch_from_slack():
    refused = refusal(DoctorConfig(), slack("U0ALICE", "S0ONCALL"), "prod-gz", "shop")
    assert refused.message == (
        "U0ALICE may not apply fixes in namespace shop of cluster prod-gz: no one may patch from Slack until "
        "EKS_DOCTOR_CONFIG lists fixers"
    )
    assert refused.hint is None


def test_a_slack_user_no_rule_names_is_told_whom_to_ask():
    config = DoctorConfig(fixers=[FixerRule(users=["U0ADMIN"])])
    refused = refusal(config, slack("U0ALICE"), "prod-gz", "shop")
    assert (refused.message, refused.hint) == (
        "U0ALICE may not apply fixes in namespace shop of cluster prod-gz",
        ASK_ADMIN,
    )
    cluster_wide = refusal(config, slack("U0ALICE"), "prod-gz", None)
    assert cluster_wide.message == "U0ALICE may not apply fixes in cluster prod-gz"


def test_a_slack_user_named_by_id_may_patch():
    config = DoctorConfig(fixers=[FixerRule(users=["U0ADMIN", "U0ALICE"])])
    assert allowed(config, slack("U0ALICE"))
    assert not allowed(config, slack("U0BOB"))


def test_a_slack_user_may_patch_through_a_user_group():
    config = DoctorConfig(fixers=[FixerRule(usergroups=["S0ONCALL", "S0SRE"])])
    assert allowed(config, slack("U0ALICE", "S0DEV", "S0SRE"))
    assert not allowed(config, slack("U0BOB", "S0DEV"))
    assert not allowed(config, slack("U0CAROL"))  # no groups at all


def test_user_ids_and_group_ids_are_not_interchangeable():
    assert not allowed(DoctorConfig(fixers=[FixerRule(usergroups=["U0ALICE"])]), slack("U0ALICE"))
    assert not allowed(DoctorConfig(fixers=[FixerRule(users=["S0SRE"])]), slack("U0ALICE", "S0SRE"))


def test_a_rule_scoped_to_clusters_covers_only_those_clusters():
    config = DoctorConfig(fixers=[FixerRule(usergroups=["S0SRE"], clusters=["prod-gz", "prod-sh"])])
    alice = slack("U0ALICE", "S0SRE")
    assert allowed(config, alice, cluster="prod-gz") and allowed(config, alice, cluster="prod-sh")
    assert allowed(config, alice, cluster="prod-gz", namespace=None)
    assert not allowed(config, alice, cluster="staging")
    assert not allowed(config, alice, cluster=None)  # an unnamed cluster is not one of them
    refused = refusal(config, alice, "staging", "shop")
    assert (refused.message, refused.hint) == (
        "U0ALICE may not apply fixes in namespace shop of cluster staging",
        ASK_ADMIN,
    )


def test_a_rule_scoped_to_namespaces_covers_only_those_namespaces():
    config = DoctorConfig(fixers=[FixerRule(users=["U0ALICE"], namespaces=["shop"])])
    alice = slack("U0ALICE")
    assert allowed(config, alice, cluster="prod-gz", namespace="shop")
    assert allowed(config, alice, cluster=None, namespace="shop")
    assert not allowed(config, alice, namespace="payments")
    assert not allowed(config, alice, namespace=None)


def test_a_rule_scoped_to_both_needs_both():
    config = DoctorConfig(fixers=[FixerRule(users=["U0ALICE"], clusters=["prod-gz"], namespaces=["shop"])])
    alice = slack("U0ALICE")
    assert allowed(config, alice, cluster="prod-gz", namespace="shop")
    assert not allowed(config, alice, cluster="prod-gz", namespace="payments")
    assert not allowed(config, alice, cluster="staging", namespace="shop")


def test_any_rule_that_names_and_covers_is_enough():
    config = DoctorConfig(
        fixers=[
            FixerRule(users=["U0ALICE"], clusters=["staging"]),
            FixerRule(users=["U0BOB"], clusters=["prod-gz"]),
            FixerRule(usergroups=["S0SRE"], clusters=["prod-gz"], namespaces=["shop"]),
        ]
    )
    assert allowed(config, slack("U0ALICE", "S0SRE"), cluster="prod-gz", namespace="shop")
    assert not allowed(config, slack("U0ALICE", "S0SRE"), cluster="prod-gz", namespace="payments")
    assert allowed(config, slack("U0ALICE"), cluster="staging", namespace="payments")
    assert not allowed(config, slack("U0ALICE"), cluster="prod-gz", namespace="shop")


def test_the_cli_is_gated_by_the_clusters_rbac_not_by_fixers():
    config = DoctorConfig(fixers=[FixerRule(users=["U0ADMIN"], clusters=["prod-gz"])])
    for cfg in (DoctorConfig(), config):
        assert allowed(cfg, Actor(id="alice"), cluster="staging", namespace="payments")
        assert allowed(cfg, Actor(id="alice", channel=Channel.CLI), cluster=None, namespace=None)


def test_may_fix_answers_the_same_question_directly():
    config = DoctorConfig(fixers=[FixerRule(users=["U0ALICE"], usergroups=["S0SRE"], clusters=["prod-gz"])])
    assert config.may_fix(user="U0ALICE", cluster="prod-gz", namespace="shop") is True
    assert config.may_fix(user="U0BOB", usergroups=frozenset({"S0SRE"}), cluster="prod-gz", namespace=None) is True
    assert config.may_fix(user="U0BOB", cluster="prod-gz", namespace="shop") is False
    assert config.may_fix(user="U0ALICE", cluster="staging", namespace="shop") is False
    assert DoctorConfig().may_fix(user="U0ALICE", cluster=None, namespace=None) is False


@pytest.mark.parametrize(
    ("rule", "cluster", "namespace", "covered"),
    [
        (FixerRule(), None, None, True),
        (FixerRule(), "prod-gz", "shop", True),
        (FixerRule(clusters=["prod-gz"]), "prod-gz", None, True),
        (FixerRule(clusters=["prod-gz"]), "staging", None, False),
        (FixerRule(clusters=[]), "prod-gz", "shop", False),  # an empty list covers nothing, unlike no list
        (FixerRule(namespaces=["shop"]), None, "shop", True),
        (FixerRule(namespaces=["shop"]), None, "payments", False),
        (FixerRule(namespaces=[]), "prod-gz", "shop", False),
    ],
)
def test_what_a_fixer_rule_covers(rule, cluster, namespace, covered):
    assert rule.covers(cluster=cluster, namespace=namespace) is covered

"""The EKS_DOCTOR_CONFIG file: what a valid one means, and how a wrong one is reported (file and key
named) instead of silently widening or narrowing who may patch."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ClusterConfig, DoctorConfig, FixerRule, load_config
from bot.errors import ConfigError

EXAMPLE = """
clusters:
  - name: prod-gz
    context: prod-gz
    region: ap-guangzhou
    cluster_id: cls-abcd1234
    pod_quota: 500
    security_group_quota: 3000
  - name: staging
default_cluster: prod-gz
channels:
  C0123ABCD: {cluster: staging, namespace: shop}
fixers:
  - users: [U0123ABCD]
    usergroups: [S0456EFGH]
    clusters: [prod-gz]
    namespaces: [shop]
  - usergroups: [S0SRE]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "eks-doctor.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as failed:
        load_config(path)
    return str(failed.value).replace(str(path), "FILE")


def test_the_documented_example_reads_as_written(tmp_path):
    config = load_config(write(tmp_path, EXAMPLE))
    prod = config.cluster("prod-gz")
    assert (prod.context, prod.region, prod.cluster_id, prod.pod_quota, prod.security_group_quota) == (
        "prod-gz",
        "ap-guangzhou",
        "cls-abcd1234",
        500,
        3000,
    )
    assert config.channels["C0123ABCD"].cluster == "staging" and config.channels["C0123ABCD"].namespace == "shop"
    assert config.fixers[0] == FixerRule(
        users=["U0123ABCD"], usergroups=["S0456EFGH"], clusters=["prod-gz"], namespaces=["shop"]
    )
    assert config.fixers[1] == FixerRule(usergroups=["S0SRE"])
    assert config.fixers[1].clusters is None and config.fixers[1].namespaces is None
    assert config.may_fix(user="U0123ABCD", cluster="prod-gz", namespace="shop")
    assert not config.may_fix(user="U0123ABCD", cluster="staging", namespace="shop")
    assert config.may_fix(user="U0ANY", usergroups=frozenset({"S0SRE"}), cluster="staging", namespace="payments")


def test_no_file_or_an_empty_file_means_the_defaults(tmp_path):
    for config in (load_config(None), load_config(write(tmp_path, "")), load_config(write(tmp_path, "# nothing\n"))):
        assert config.model_dump(exclude={"source"}) == DoctorConfig().model_dump(exclude={"source"})
        assert config.fixers == [] and config.clusters == [] and config.channels == {}
        assert config.default_cluster is None


def test_a_cluster_gets_the_platform_default_quotas(tmp_path):
    config = load_config(write(tmp_path, "clusters: [{name: prod-gz}]\n"))
    cluster = config.cluster("prod-gz")
    assert (cluster.pod_quota, cluster.security_group_quota) == (200, 2000)
    assert (cluster.context, cluster.region, cluster.cluster_id) == (None, None, None)


def test_which_cluster_is_meant():
    one = DoctorConfig(clusters=[ClusterConfig(name="prod-gz", pod_quota=300)])
    assert one.cluster().name == "prod-gz" and one.cluster(None).pod_quota == 300  # the only one
    two = DoctorConfig(clusters=[ClusterConfig(name="prod-gz"), ClusterConfig(name="staging")])
    assert two.cluster().name == "default" and two.cluster().pod_quota == 200  # no way to choose
    assert two.cluster("staging").name == "staging"
    chosen = DoctorConfig(
        clusters=[ClusterConfig(name="prod-gz"), ClusterConfig(name="staging")], default_cluster="staging"
    )
    assert chosen.cluster().name == "staging" and chosen.cluster("prod-gz").name == "prod-gz"
    assert DoctorConfig().cluster().name == "default"


def test_an_unknown_cluster_is_an_error_naming_the_known_ones():
    two = DoctorConfig(clusters=[ClusterConfig(name="prod-gz"), ClusterConfig(name="staging")])
    with pytest.raises(ConfigError) as unknown:
        two.cluster("prod-sh")
    assert str(unknown.value) == "unknown cluster 'prod-sh' (known: prod-gz, staging)"
    with pytest.raises(ConfigError) as none:
        DoctorConfig().cluster("prod-sh")
    assert str(none.value) == "unknown cluster 'prod-sh' (known: none configured)"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("fixers:\n  - user: [U0123ABCD]\n", "FILE: fixers.0.user: unknown key"),
        ("fixer:\n  - users: [U0123ABCD]\n", "FILE: fixer: unknown key"),
        ("clusters: [{name: a, quota: 3}]\n", "FILE: clusters.0.quota: unknown key"),
        ("channels: {C1: {namespace: shop, team: x}}\n", "FILE: channels.C1.team: unknown key"),
        ("clusters: [{name: a, pod_quota: 0}]\n", "FILE: clusters.0.pod_quota: Input should be greater than 0"),
        (
            "clusters: [{name: a, security_group_quota: -1}]\n",
            "FILE: clusters.0.security_group_quota: Input should be greater than 0",
        ),
        (
            "fixers: [{users: U0123ABCD}]\nclusters: [{}]\n",
            "FILE: clusters.0.name: Field required; fixers.0.users: Input should be a valid list",
        ),
        ("clusters: [{name: a}, {name: a}]\n", "FILE: (top level): Value error, cluster names must be unique"),
        (
            "clusters: [{name: a}]\ndefault_cluster: b\n",
            "FILE: (top level): Value error, default_cluster 'b' is not one of the clusters",
        ),
        (
            "clusters: [{name: a}]\nchannels: {C1: {cluster: b}}\n",
            "FILE: (top level): Value error, channels.C1.cluster 'b' is not one of the clusters",
        ),
        ("- fixers\n", "FILE: expected a mapping at the top level"),
        ("fixers: [users: [\n", "FILE:2: not valid YAML (expected the node content, but found '<stream end>')"),
    ],
)  # fmt: skip
def test_a_wrong_file_is_refused_naming_the_file_and_the_key(tmp_path, text, error):
    assert error_for(tmp_path, text) == error


def test_references_to_configured_clusters_are_accepted(tmp_path):
    config = load_config(
        write(
            tmp_path,
            "clusters: [{name: a}, {name: b}]\ndefault_cluster: b\nchannels: {C1: {cluster: a}, C2: {namespace: x}}\n",
        )
    )
    assert (
        config.cluster().name == "b" and config.channels["C1"].cluster == "a" and config.channels["C2"].cluster is None
    )


def test_text_that_is_not_yaml_at_all_is_reported_with_the_file(tmp_path):
    message = error_for(tmp_path, "fixers: []\x07\n")
    assert message.startswith("FILE: not valid YAML (") and "#x0007" in message


def test_a_missing_file_names_the_setting(tmp_path):
    missing = tmp_path / "absent.yaml"
    with pytest.raises(ConfigError) as failed:
        load_config(missing)
    assert str(failed.value) == f"{missing}: config file not found (EKS_DOCTOR_CONFIG)"


def test_a_loaded_config_cannot_be_changed_by_accident(tmp_path):
    config = load_config(write(tmp_path, EXAMPLE))
    with pytest.raises(ValueError, match="frozen"):
        config.fixers[0].users = ["U0EVERYONE"]
    with pytest.raises(ValueError, match="frozen"):
        config.default_cluster = "staging"


def extra(item: str) -> str:
    return f"extra_annotations:\n  - {{key: example.com/setting, {item}}}\n"


def test_an_extra_port_annotation_is_bounded_by_real_port_numbers(tmp_path):
    config = load_config(write(tmp_path, extra("shape: port, minimum: 1, maximum: 65535")))
    assert config.allow_list().rule("example.com/setting").describe() == "port 1-65535"
    for bound, shown in (("0", "0"), ("65536", "65536"), ("'http'", "'http'"), ("'-1'", "'-1'")):
        assert error_for(tmp_path, extra(f"shape: port, maximum: {bound}")) == (
            f"FILE: extra_annotations.0: Value error, example.com/setting: {shown} is not a port number (1-65535)"
        )


def test_an_extra_duration_annotation_may_reach_seven_days_and_no_further(tmp_path):
    config = load_config(write(tmp_path, extra("shape: duration, maximum: 604800s")))
    assert config.allow_list().rule("example.com/setting").describe() == "duration 0s-604800s"
    assert error_for(tmp_path, extra("shape: duration, maximum: 604801s")) == (
        "FILE: extra_annotations.0: Value error, example.com/setting: '604801s' is longer than 604800s"
    )

"""TC-F3-1: AutoMTLS with go-plugin's P-521 client certificate, both TLS versions, from a
client that is not Terraform; and the real path through Terraform 1.0.3."""

import os
import re
import ssl

import pytest

from harness import runner_config
from protocol_support import (
    TlsBridge, go_plugin_client_identity, health_check, plugin_env, start_plugin, stop_plugin,
    tls_probe,
)
from conftest import provider_binary

SERVING = 1


@pytest.fixture
def plugin(tmp_path):
    """The provider started as go-plugin starts it, with a fresh go-plugin client identity."""
    identity = go_plugin_client_identity(tmp_path)
    process, handshake = start_plugin(provider_binary(), plugin_env(identity.cert_pem))
    yield identity, handshake
    stop_plugin(process)


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3],
                         ids=["tls1.2", "tls1.3"])
def test_tc_f3_1_p521_client_certificate_is_accepted_and_health_says_serving(
        plugin, tmp_path, version):
    identity, handshake = plugin
    assert (handshake.core, handshake.network, handshake.protocol) == ("1", "unix", "grpc")
    assert handshake.version == int(os.environ.get("TF_GITLAB_CODEBUILD_PROTOCOL", "6"))

    accepted, details = tls_probe(handshake, identity, version)
    assert accepted, details
    assert details["alpn"] == "h2"
    assert details["version"] == {ssl.TLSVersion.TLSv1_2: "TLSv1.2",
                                  ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]

    bridge = TlsBridge(handshake, identity, version, tmp_path)
    try:
        assert health_check(bridge.target) == SERVING
        assert bridge.versions and set(bridge.versions) == {details["version"]}
    finally:
        bridge.close()


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3],
                         ids=["tls1.2", "tls1.3"])
def test_tc_f3_1_no_client_certificate_is_refused(plugin, version):
    _, handshake = plugin
    accepted, details = tls_probe(handshake, None, version)
    assert not accepted and "error" in details, details


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3],
                         ids=["tls1.2", "tls1.3"])
def test_tc_f3_1_a_different_client_certificate_is_refused(plugin, tmp_path, version):
    _, handshake = plugin
    stranger = go_plugin_client_identity(tmp_path / "other")
    accepted, details = tls_probe(handshake, stranger, version)
    assert not accepted and "error" in details, details


def test_tc_f3_1_handshake_certificate_is_the_served_certificate(plugin):
    identity, handshake = plugin
    assert len(handshake.server_cert_der) > 100
    accepted, details = tls_probe(handshake, identity, ssl.TLSVersion.TLSv1_3)
    assert accepted, details
    assert details["peer"] == handshake.server_cert_der


def test_tc_f3_1_real_terraform_negotiates_over_automtls(workspace):
    workspace.write(runner_config())
    workspace.init()
    result = workspace.run("validate", "-no-color", env={"TF_LOG": "trace"})
    assert result.code == 0, result
    assert re.search(r"using plugin: version=[56]", result.stderr), result.stderr[-3000:]
    assert "configuring client automatic mTLS" in result.stderr
    assert "authentication handshake failed" not in result.stderr
    assert "TLS handshake refused" not in result.stderr

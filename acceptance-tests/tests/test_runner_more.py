"""The runner beyond the field cases: exact call sets for in-place updates, a shared
connection used by two runners, import of a runner made by hand, and the tag data source."""

import boto3

from harness import runner_config

ADDR = "gitlab_codebuild_runner.r"
CREATE_20S = '  timeouts {\n    create = "20s"\n  }'


def aws(emulator, service):
    return boto3.client(service, endpoint_url=emulator.url, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="fake")


def calls_since(emulator, seen):
    return [c for c in emulator.calls()[seen:] if not c["operation"].startswith(("Get", "Batch",
                                                                                "List"))]


def test_runner_update_sends_exactly_the_calls_each_change_needs(workspace, emulator):
    emulator.post("config", {"authorize_after": 1})
    workspace.write(runner_config(extra=CREATE_20S))
    workspace.init()
    assert workspace.apply().code == 0

    steps = [
        ("  build_timeout = 90\n", ["UpdateProject"]),
        ("  build_timeout = 90\n  webhook {\n    build_type = \"BUILD_BATCH\"\n  }\n",
         ["UpdateWebhook"]),
        ("  build_timeout = 90\n  webhook {\n    build_type = \"BUILD_BATCH\"\n  }\n"
         "  tags = { team = \"platform\" }\n",
         ["TagResource", "TagResource", "UpdateProject"]),
        ("  build_timeout = 90\n  webhook {\n    build_type = \"BUILD_BATCH\"\n  }\n",
         ["UntagResource", "UntagResource", "UpdateProject"]),
    ]
    for extra, expected in steps:
        workspace.write(runner_config(extra=CREATE_20S + "\n" + extra))
        seen = len(emulator.calls())
        applied = workspace.apply()
        assert applied.code == 0, applied
        assert [c["operation"] for c in calls_since(emulator, seen)] == expected, extra
        assert workspace.plan().code == 0, extra
    [hook] = emulator.calls("UpdateWebhook")
    assert hook["request"]["buildType"] == "BUILD_BATCH"
    assert emulator.calls("UpdateProject")[0]["request"]["timeoutInMinutes"] == 90


def test_runner_shared_connection_serves_two_runners(workspace, emulator):
    emulator.post("config", {"authorize_after": 1})
    second = f"""
resource "gitlab_codebuild_runner" "b" {{
  provider         = gitlab-codebuild
  name             = "runner-b"
  gitlab_url       = "https://gitlab.example.internal"
  source_location  = "https://gitlab.example.internal/platform/other"
  service_role_arn = "arn:aws:iam::123456789012:role/cb-runner"
  connection_arn   = gitlab_codebuild_runner.r.connection_arn
}}
"""
    workspace.write(runner_config(extra=CREATE_20S) + second)
    workspace.init()
    assert workspace.apply().code == 0
    assert len(emulator.calls("CreateHost")) == 1 and len(emulator.calls("CreateConnection")) == 1
    a, b = workspace.resource(ADDR), workspace.resource("gitlab_codebuild_runner.b")
    assert b["connection_arn"] == a["connection_arn"] and b["host_arn"] is None
    assert b["connection_status"] == "AVAILABLE" and b["webhook_payload_url"]
    assert workspace.plan().code == 0
    assert workspace.destroy().code == 0
    assert emulator.is_empty()


def test_runner_import_of_a_hand_made_runner_plans_no_changes(workspace, emulator):
    cc, cb = aws(emulator, "codeconnections"), aws(emulator, "codebuild")
    host = cc.create_host(Name="runner-a", ProviderType="GitLabSelfManaged",
                          ProviderEndpoint="https://gitlab.example.internal")["HostArn"]
    conn = cc.create_connection(ConnectionName="runner-a", HostArn=host)["ConnectionArn"]
    emulator.post("connections/authorize", {"arn": conn})
    cb.create_project(
        name="runner-a", artifacts={"type": "NO_ARTIFACTS"},
        serviceRole="arn:aws:iam::123456789012:role/cb-runner",
        source={"type": "GITLAB_SELF_MANAGED", "gitCloneDepth": 1,
                "location": "https://gitlab.example.internal/platform/app",
                "auth": {"type": "CODECONNECTIONS", "resource": conn}},
        environment={"type": "LINUX_CONTAINER", "computeType": "BUILD_GENERAL1_SMALL",
                     "image": "aws/codebuild/amazonlinux-x86_64-standard:5.0"})
    cb.create_webhook(projectName="runner-a",
                      filterGroups=[[{"type": "EVENT", "pattern": "WORKFLOW_JOB_QUEUED"}]])

    workspace.write(runner_config())
    workspace.init()
    imported = workspace.run("import", "-no-color", *workspace.tf_vars(), ADDR, "runner-a")
    assert imported.code == 0, imported
    state = workspace.resource(ADDR)
    assert state["host_arn"] == host and state["connection_arn"] == conn
    assert state["webhook_secret"] is None
    plan = workspace.plan()
    assert plan.code == 0, plan


def test_runner_tags_data_source_lists_job_tags(workspace, emulator):
    workspace.write("""
data "gitlab_codebuild_runner_tags" "big" {
  provider      = gitlab-codebuild
  project_name  = "runner-a"
  instance_size = "large"
  image         = "custom-arm-public.ecr.aws/codebuild/amazonlinux-aarch64-standard:3.0"
}

output "tags" {
  value = data.gitlab_codebuild_runner_tags.big.tags
}
""")
    workspace.init()
    applied = workspace.apply()
    assert applied.code == 0, applied
    assert "codebuild-runner-a-$CI_PROJECT_ID-$CI_PIPELINE_IID-$CI_JOB_NAME" in applied.stdout
    assert "instance-size:large" in applied.stdout
    assert ("image:custom-arm-public.ecr.aws/codebuild/amazonlinux-aarch64-standard:3.0"
            in applied.stdout)
    assert emulator.calls() == []

    workspace.write("""
data "gitlab_codebuild_runner_tags" "bad" {
  provider      = gitlab-codebuild
  project_name  = "runner-a"
  instance_size = "huge"
  fleet         = "a, b"
  image         = "custom:registry.example.com/tools:1"
}
""")
    invalid = workspace.validate()
    assert invalid.code == 1
    assert "Invalid instance size" in invalid.output
    assert "Invalid Runner Label Value" in invalid.output
    text = " ".join(invalid.output.split())
    assert "Invalid Runner Image Label" in text
    assert "custom-linux-registry.example.com/tools:1" in text

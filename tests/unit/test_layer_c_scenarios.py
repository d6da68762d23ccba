"""Scenarios: the defaults an image config yields, merging, and validation of the scenarios file."""

from __future__ import annotations

import pytest

from codegenie_core.probes.layer_c.model import (
    DEFAULT_SCENARIO_NAMES,
    DEFAULT_WINDOW_S,
    SCENARIO_TASK_PREFIX,
    ImageConfig,
    Scenario,
)
from codegenie_core.probes.layer_c.scenarios import (
    ScenarioFileProblem,
    default_scenarios,
    merge_scenarios,
    parse_scenarios,
)

SERVER = ImageConfig(
    entrypoint=("/usr/bin/server",),
    cmd=("--port", "8080"),
    healthcheck=("CMD-SHELL", "wget -q -O- http://127.0.0.1:8080/health"),
)


def test_an_image_with_entrypoint_cmd_and_healthcheck_gets_all_five_defaults() -> None:
    scenarios = default_scenarios(SERVER)
    assert tuple(s.name for s in scenarios) == DEFAULT_SCENARIO_NAMES
    assert [s.argv for s in scenarios] == [
        ("/usr/bin/server", "--port", "8080"),
        ("/usr/bin/server", "--help"),
        ("/usr/bin/server", "--version"),
        ("/bin/sh", "-c", "wget -q -O- http://127.0.0.1:8080/health"),
        ("/bin/sh", "-c", "exit 0"),
    ]
    assert {s.window_s for s in scenarios} == {DEFAULT_WINDOW_S}


def test_without_entrypoint_help_and_version_go_to_the_commands_program() -> None:
    scenarios = default_scenarios(ImageConfig(cmd=("nginx", "-g", "daemon off;")))
    by_name = {s.name: s.argv for s in scenarios}
    assert by_name["help"] == ("nginx", "--help")
    assert "healthcheck" not in by_name


def test_exec_form_healthcheck_runs_its_argv_and_none_disables_it() -> None:
    exec_form = default_scenarios(ImageConfig(cmd=("x",), healthcheck=("CMD", "/bin/check", "-q")))
    disabled = default_scenarios(ImageConfig(cmd=("x",), healthcheck=("NONE",)))
    assert {s.name: s.argv for s in exec_form}["healthcheck"] == ("/bin/check", "-q")
    assert "healthcheck" not in {s.name for s in disabled}


def test_an_image_with_nothing_to_run_still_gets_the_shell_scenario() -> None:
    assert [s.name for s in default_scenarios(ImageConfig())] == ["shell"]


def test_a_scenarios_task_name_carries_the_prefix() -> None:
    assert Scenario(name="x", argv=("a",)).task == SCENARIO_TASK_PREFIX + "x"


def test_repo_scenarios_replace_same_named_defaults_and_follow_the_rest() -> None:
    repo = (
        Scenario(name="extra", argv=("/bin/true",), origin="repo"),
        Scenario(name="help", argv=("/usr/bin/server", "-h"), origin="repo"),
    )
    merged = merge_scenarios(default_scenarios(SERVER), repo)
    assert [(s.name, s.origin) for s in merged] == [
        ("default", "default"),
        ("help", "repo"),
        ("version", "default"),
        ("healthcheck", "default"),
        ("shell", "default"),
        ("extra", "repo"),
    ]


SLEEPER_TEXT = """\
scenarios:
  - name: sleeper
    argv: ["/bin/sleep", "1000"]
    timeout_s: 5
    window_s: 3
    env: {MODE: test}
  - name: greet
    shell: "echo hi"
"""


def test_a_valid_file_gives_its_scenarios_with_repo_origin() -> None:
    data = {
        "scenarios": [
            {
                "name": "sleeper",
                "argv": ["/bin/sleep", "1000"],
                "timeout_s": 5,
                "window_s": 3,
                "env": {"MODE": "test"},
            },
            {"name": "greet", "shell": "echo hi"},
        ]
    }
    assert parse_scenarios(data, SLEEPER_TEXT) == (
        Scenario(
            name="sleeper",
            argv=("/bin/sleep", "1000"),
            timeout_s=5.0,
            window_s=3.0,
            env=(("MODE", "test"),),
            origin="repo",
        ),
        Scenario(name="greet", argv=("/bin/sh", "-c", "echo hi"), origin="repo"),
    )


def test_an_empty_file_has_no_scenarios() -> None:
    assert parse_scenarios(None, "") == ()


@pytest.mark.parametrize(
    ("item", "line", "message"),
    [
        (
            {"name": "sleeper", "argv": ["/bin/sleep"], "timeout_s": 500},
            2,
            "scenarios[0] (name 'sleeper'): 'timeout_s' must be a number > 0 and <= 120, got 500",
        ),
        (
            {"name": "sleeper", "argv": ["/bin/sleep"], "shell": "sleep 1"},
            2,
            "scenarios[0] (name 'sleeper'): give exactly one of 'argv' (a list of strings) "
            "or 'shell' (a string)",
        ),
        (
            {"name": "sleeper", "argv": ["/bin/sleep", 5]},
            2,
            "scenarios[0] (name 'sleeper'): 'argv' must hold only strings",
        ),
        (
            {"name": "sleeper", "argv": ["a"], "timeout_s": 5, "window_s": 9},
            2,
            "scenarios[0] (name 'sleeper'): 'window_s' must be a number > 0 and <= timeout_s (5), "
            "got 9",
        ),
        (
            {"name": "sleeper", "argv": ["a"], "env": {"1BAD": "x"}},
            2,
            "scenarios[0] (name 'sleeper'): 'env' name '1BAD' must match ^[A-Za-z_][A-Za-z0-9_]*$",
        ),
        (
            {"name": "sleeper", "argv": ["a"], "cmd": "x"},
            2,
            "scenarios[0] (name 'sleeper'): unknown field 'cmd'; known: argv, env, name, shell, "
            "timeout_s, window_s",
        ),
        (
            {"name": "has space", "argv": ["a"]},
            None,
            "scenarios[0]: 'name' must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$, got 'has space'",
        ),
    ],
)
def test_a_malformed_scenario_names_the_file_line_scenario_and_field(
    item: dict[str, object], line: int | None, message: str
) -> None:
    text = "scenarios:\n  - name: sleeper\n"
    expected = ScenarioFileProblem(path=".codegenie/scenarios.yaml", line=line, message=message)
    assert parse_scenarios({"scenarios": [item]}, text) == expected


def test_a_duplicate_name_is_a_problem_at_its_line() -> None:
    text = "scenarios:\n  - name: a\n    argv: [x]\n  - name: b\n    argv: [y]\n"
    data = {"scenarios": [{"name": "b", "argv": ["x"]}, {"name": "b", "argv": ["y"]}]}
    problem = parse_scenarios(data, text)
    assert problem == ScenarioFileProblem(
        path=".codegenie/scenarios.yaml", line=4, message="scenarios[1]: name 'b' is used twice"
    )


def test_a_document_that_is_not_a_mapping_or_has_unknown_keys_is_a_problem() -> None:
    assert parse_scenarios(["x"], "- x\n") == ScenarioFileProblem(
        path=".codegenie/scenarios.yaml",
        line=None,
        message="the document must be a mapping with a 'scenarios' list",
    )
    assert parse_scenarios({"scenario": []}, "scenario: []\n") == ScenarioFileProblem(
        path=".codegenie/scenarios.yaml", line=1, message="unknown key 'scenario'"
    )


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            {"argv": "curl -H 'Authorization: tok-1' x"},
            "'argv' must be a non-empty list of strings, got a string",
        ),
        ({"shell": ["sh", "-c", "tok-1"]}, "'shell' must be a non-empty string, got a list"),
        (
            {"argv": ["a"], "env": ["API_TOKEN=tok-1"]},
            "'env' must be a mapping of names to strings, got a list",
        ),
    ],
)
def test_a_misplaced_value_is_described_by_its_kind_never_shown(
    item: dict[str, object], message: str
) -> None:
    problem = parse_scenarios({"scenarios": [{"name": "s", **item}]}, "")
    assert isinstance(problem, ScenarioFileProblem)
    assert (problem.message, "tok-1" in problem.describe()) == (
        f"scenarios[0] (name 's'): {message}",
        False,
    )


def test_a_problem_describes_itself_as_path_line_message() -> None:
    problem = ScenarioFileProblem(path=".codegenie/scenarios.yaml", line=3, message="bad")
    assert problem.describe() == ".codegenie/scenarios.yaml:3: bad"

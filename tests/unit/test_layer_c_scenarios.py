"""Scenarios: the defaults an image config yields, merging, and validation of the scenarios file."""

from __future__ import annotations

import pytest

from codegenie_core.probes.layer_c.model import (
    DEFAULT_SCENARIO_NAMES,
    DEFAULT_WINDOW_S,
    MAX_ARGV_BYTES,
    MAX_ARGV_ITEMS,
    MAX_ENV_BYTES,
    MAX_ENV_ENTRIES,
    MAX_SCENARIOS,
    SCENARIO_TASK_PREFIX,
    SCENARIOS_FILE,
    ImageConfig,
    Scenario,
)
from codegenie_core.probes.layer_c.scenarios import (
    InvalidScenario,
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
    assert [(s.name, s.origin if isinstance(s, Scenario) else "") for s in merged] == [
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
    name = "sleeper" if line is not None else "scenarios[0]"
    problem = ScenarioFileProblem(path=".codegenie/scenarios.yaml", line=line, message=message)
    expected = (InvalidScenario(index=0, name=name, problem=problem),)
    assert parse_scenarios({"scenarios": [item]}, text) == expected


def test_a_second_use_of_a_name_is_invalid_at_its_own_line_and_the_first_stays() -> None:
    text = "scenarios:\n  - name: b\n    argv: [x]\n  - name: b\n    argv: [y]\n"
    data = {"scenarios": [{"name": "b", "argv": ["x"]}, {"name": "b", "argv": ["y"]}]}
    problem = ScenarioFileProblem(
        path=SCENARIOS_FILE, line=4, message="scenarios[1]: name 'b' is used twice"
    )
    assert parse_scenarios(data, text) == (
        Scenario(name="b", argv=("x",), origin="repo"),
        InvalidScenario(index=1, name="b", problem=problem),
    )


def _invalid_message(item: dict[str, object]) -> str:
    parsed = parse_scenarios({"scenarios": [item]}, "")
    assert isinstance(parsed, tuple) and len(parsed) == 1
    assert isinstance(parsed[0], InvalidScenario), parsed
    return parsed[0].problem.describe()


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"name": "a\x00b", "argv": ["x"]}, "scenarios[0]: 'name' holds a NUL byte"),
        (
            {"name": "n", "argv": ["x", "y\x00"]},
            "scenarios[0] (name 'n'): 'argv'[1] holds a NUL byte",
        ),
        ({"name": "n", "shell": "echo \x00"}, "scenarios[0] (name 'n'): 'shell' holds a NUL byte"),
        (
            {"name": "n", "argv": ["x"], "env": {"A\x00": "v"}},
            "scenarios[0] (name 'n'): 'env' name 'A\\x00' holds a NUL byte",
        ),
        (
            {"name": "n", "argv": ["x"], "env": {"A": "v\x00"}},
            "scenarios[0] (name 'n'): 'env' value of 'A' holds a NUL byte",
        ),
    ],
    ids=["name", "argv", "shell", "env-name", "env-value"],
)
def test_a_nul_byte_anywhere_is_refused_naming_file_scenario_and_field(
    item: dict[str, object], message: str
) -> None:
    assert _invalid_message(item) == f"{SCENARIOS_FILE}: {message}"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            {"name": "n", "argv": ["x"] * (MAX_ARGV_ITEMS + 1)},
            f"'argv' has {MAX_ARGV_ITEMS + 1} words, at most {MAX_ARGV_ITEMS}",
        ),
        (
            {"name": "n", "argv": ["x" * (MAX_ARGV_BYTES // 2), "é" * (MAX_ARGV_BYTES // 4 + 1)]},
            f"'argv' is over {MAX_ARGV_BYTES} bytes in all",
        ),
        (
            {"name": "n", "shell": "x" * MAX_ARGV_BYTES},
            f"'shell' is over {MAX_ARGV_BYTES} bytes in all",
        ),
        (
            {"name": "n", "argv": ["x"], "env": {f"V{i}": "" for i in range(MAX_ENV_ENTRIES + 1)}},
            f"'env' has {MAX_ENV_ENTRIES + 1} entries, at most {MAX_ENV_ENTRIES}",
        ),
        (
            {"name": "n", "argv": ["x"], "env": {"A": "v" * MAX_ENV_BYTES}},
            f"'env' is over {MAX_ENV_BYTES} bytes in all",
        ),
    ],
    ids=["argv-words", "argv-bytes", "shell-bytes", "env-entries", "env-bytes"],
)
def test_argv_and_env_over_their_bounds_are_refused(item: dict[str, object], message: str) -> None:
    assert _invalid_message(item) == f"{SCENARIOS_FILE}: scenarios[0] (name 'n'): {message}"


def test_argv_and_env_at_their_bounds_are_accepted() -> None:
    argv = ["x" * (MAX_ARGV_BYTES // MAX_ARGV_ITEMS)] * MAX_ARGV_ITEMS
    env = {f"V{i}": "v" * (MAX_ENV_BYTES // MAX_ENV_ENTRIES - 4) for i in range(MAX_ENV_ENTRIES)}
    parsed = parse_scenarios({"scenarios": [{"name": "n", "argv": argv, "env": env}]}, "")
    assert isinstance(parsed, tuple) and isinstance(parsed[0], Scenario)
    assert len(parsed[0].argv) == MAX_ARGV_ITEMS and len(parsed[0].env) == MAX_ENV_ENTRIES


def test_one_bad_scenario_leaves_the_others_valid_in_file_order() -> None:
    data = {
        "scenarios": [
            {"name": "a", "argv": ["x"]},
            {"name": "b", "argv": ["x"], "timeout_s": 0},
            "not a mapping",
            {"name": "c", "shell": "true"},
        ]
    }
    parsed = parse_scenarios(data, "")
    assert isinstance(parsed, tuple)
    assert [(type(p).__name__, p.name) for p in parsed] == [
        ("Scenario", "a"),
        ("InvalidScenario", "b"),
        ("InvalidScenario", "scenarios[2]"),
        ("Scenario", "c"),
    ]


def test_more_scenarios_than_the_bound_is_a_problem_of_the_file() -> None:
    items = [{"name": f"s{i}", "argv": ["x"]} for i in range(MAX_SCENARIOS + 1)]
    assert parse_scenarios({"scenarios": items}, "scenarios:\n") == ScenarioFileProblem(
        path=SCENARIOS_FILE,
        line=1,
        message=f"at most {MAX_SCENARIOS} scenarios, got {MAX_SCENARIOS + 1}",
    )


def test_a_hostile_value_is_quoted_short_in_its_message() -> None:
    message = _invalid_message({"name": "n", "argv": ["x"], "timeout_s": "9" * 100_000})
    assert len(message) < 200


def test_each_scenarios_line_is_found_in_one_pass_with_comments_quotes_and_crlf() -> None:
    text = (
        "scenarios:\r\n  # name: a (a comment, not a name line)\r\n  - name: 'a'  # first\r\n"
        '    argv: [x]\r\n  -   name: "b"\r\n    argv: [x, 0]\r\n'
    )
    data = {
        "scenarios": [{"name": "a", "argv": ["x"], "timeout_s": 0}, {"name": "b", "argv": ["x", 0]}]
    }
    parsed = parse_scenarios(data, text)
    assert isinstance(parsed, tuple)
    assert [p.problem.line for p in parsed if isinstance(p, InvalidScenario)] == [3, 5]


def test_an_invalid_scenario_replaces_no_default_and_keeps_its_place() -> None:
    problem = ScenarioFileProblem(path=SCENARIOS_FILE, line=None, message="bad")
    repo = (
        InvalidScenario(index=0, name="help", problem=problem),
        Scenario(name="extra", argv=("/bin/true",), origin="repo"),
    )
    merged = merge_scenarios(default_scenarios(SERVER), repo)
    assert [(type(s).__name__, s.name) for s in merged] == [
        *(("Scenario", name) for name in DEFAULT_SCENARIO_NAMES),
        ("InvalidScenario", "help"),
        ("Scenario", "extra"),
    ]


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
    parsed = parse_scenarios({"scenarios": [{"name": "s", **item}]}, "")
    assert not isinstance(parsed, ScenarioFileProblem)
    assert isinstance(parsed[0], InvalidScenario), parsed
    problem = parsed[0].problem
    assert (problem.message, "tok-1" in problem.describe()) == (
        f"scenarios[0] (name 's'): {message}",
        False,
    )


def test_a_problem_describes_itself_as_path_line_message() -> None:
    problem = ScenarioFileProblem(path=".codegenie/scenarios.yaml", line=3, message="bad")
    assert problem.describe() == ".codegenie/scenarios.yaml:3: bad"

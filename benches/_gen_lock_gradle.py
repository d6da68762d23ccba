"""A Gradle multi-project build whose root `gradle.lockfile` pins `packages` packages."""

from __future__ import annotations

from codegenie_core.parsers.gradle import render_gradle_lockfile


def generate(packages: int, members: int) -> dict[str, str]:
    entries = {
        f"org.example.g{i % 97}:artifact-{i}:1.{i % 13}.{i}": (
            ("testCompileClasspath", "testRuntimeClasspath")
            if i % 5 == 0
            else ("compileClasspath", "runtimeClasspath")
        )
        for i in range(packages)
    }
    names = [f"m{j}" for j in range(members)]
    files = {
        "settings.gradle": "rootProject.name = 'bench'\n"
        + "".join(f"include ':{name}'\n" for name in names),
        "gradle.lockfile": render_gradle_lockfile(entries, ("annotationProcessor",)),
    }
    coordinates = sorted(entries)
    root_deps = "".join(
        f"    implementation '{c}'\n" for c in coordinates[: max(1, packages // 10)]
    )
    files["build.gradle"] = f"plugins {{ id 'java' }}\n\ndependencies {{\n{root_deps}}}\n"
    for j, name in enumerate(names):
        picked = coordinates[j :: max(1, members * 7)][:20]
        body = "".join(f'    implementation("{c}")\n' for c in picked)
        files[f"{name}/build.gradle.kts"] = f"dependencies {{\n{body}}}\n"
    return files

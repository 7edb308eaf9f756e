"""Which registry problems this service runs, and why it leaves the others out.

AIOpsLab's Flower problems (`ProblemRegistry.DOCKER_REGISTRY`) deploy with `docker compose` on the
host, exec into containers with `docker exec -it` (which needs a TTY the runner does not have)
and run `docker container prune -f` against the engine. On a worker that engine is shared with
every other worker's Kind cluster, so running them would let one task delete another's
containers. They are left out of the catalog, with this reason, so a submission gets a 400 that
says why instead of a task that fails later.
"""

from typing import Any, Optional

from aiopslab_runner.errors import UnknownProblemId, UnsupportedProblem

DOCKER_HOST_REASON = (
    "deployed with docker compose on the worker's host (AIOpsLab's Flower problems): they exec "
    "with a TTY and prune containers on the Docker engine every worker shares, so this service "
    "runs only problems deployed into the worker's own Kind cluster"
)


def unsupported_reason(registry: Any, problem_id: str) -> Optional[str]:
    deployment_of = getattr(registry, "get_problem_deployment", None)
    if callable(deployment_of) and deployment_of(problem_id) == "docker":
        return DOCKER_HOST_REASON
    return None


def require_known_problem(registry: Any, problem_id: str) -> None:
    known = list(registry.get_problem_ids())
    if problem_id not in known:
        raise UnknownProblemId(
            f"problem_id {problem_id!r} is not in AIOpsLab's registry of {len(known)} problems "
            "(see --list-problems)"
        )
    reason = unsupported_reason(registry, problem_id)
    if reason:
        raise UnsupportedProblem(f"problem_id {problem_id!r} is not run by this service: {reason}")

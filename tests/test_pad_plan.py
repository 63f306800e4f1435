"""Padding plans: frame order per strategy, and the encode cost bound."""

import pytest

from podmotion.pad_plan import plan_padding


def naive(n_clip: int, n_scene: int, strategy: str) -> list[int]:
    """The sequence written out the slow, obvious way."""
    if n_scene <= n_clip:
        return list(range(n_scene))
    if strategy == "freeze":
        return list(range(n_clip)) + [n_clip - 1] * (n_scene - n_clip)
    cycle = list(range(n_clip))
    if strategy == "pingpong" and n_clip > 2:
        cycle += list(range(n_clip - 2, 0, -1))
    return [cycle[i % len(cycle)] for i in range(n_scene)]


def test_pingpong_goes_forward_then_back_without_a_jump():
    assert plan_padding(4, 11, "pingpong").expand() == [0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2]


def test_loop_and_freeze():
    assert plan_padding(3, 7, "loop").expand() == [0, 1, 2, 0, 1, 2, 0]
    assert plan_padding(3, 6, "freeze").expand() == [0, 1, 2, 2, 2, 2]


def test_a_clip_longer_than_its_scene_is_trimmed():
    for strategy in ("loop", "pingpong", "freeze"):
        assert plan_padding(25, 9, strategy).expand() == list(range(9))


@pytest.mark.parametrize("strategy", ["loop", "pingpong", "freeze"])
@pytest.mark.parametrize("n_clip", [1, 2, 5, 25, 100])
@pytest.mark.parametrize("n_scene", [1, 7, 99, 1000, 12345])
def test_plans_match_the_naive_sequence(strategy, n_clip, n_scene):
    plan = plan_padding(n_clip, n_scene, strategy, min_period_frames=48)
    assert len(plan.expand()) == n_scene
    assert plan.expand() == naive(n_clip, n_scene, strategy)


@pytest.mark.parametrize("strategy", ["loop", "pingpong", "freeze"])
def test_encode_cost_grows_with_the_clip_not_the_scene(strategy):
    # A 40 s scene at 25 fps (1000 frames) from a 4 s clip (100 frames).
    plan = plan_padding(100, 1000, strategy, min_period_frames=100)
    period = {"loop": 100, "pingpong": 198, "freeze": 100}[strategy]
    head = 100 if strategy == "freeze" else 0
    assert plan.encoded_frames <= head + 2 * period
    longer = plan_padding(100, 100_000, strategy, min_period_frames=100)
    assert longer.encoded_frames <= head + 2 * period  # an hour-long scene costs the same


def test_short_cycles_are_unrolled_to_the_minimum_period():
    plan = plan_padding(1, 1000, "loop", min_period_frames=50)
    repeated = [s for s in plan.segments if s.repeats > 1]
    assert repeated and all(len(s.frames) >= 50 for s in repeated)


def test_bad_arguments():
    with pytest.raises(ValueError, match="allowed: loop, pingpong, freeze"):
        plan_padding(3, 10, "bounce")
    with pytest.raises(ValueError):
        plan_padding(0, 10, "loop")

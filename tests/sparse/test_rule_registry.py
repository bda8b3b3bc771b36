"""`RuleRegistry`, and the registry modules' import boundary (no TensorFlow, no Keras)."""

import subprocess
import sys
import textwrap

import pytest

from ftk.sparse.rule_registry import RuleRegistry


class Rule:
    pass


class Other(Rule):
    pass


def test_register_get_and_names_keep_the_order():
    registry = RuleRegistry("thing", Rule)
    first = registry.register("first", Rule())
    registry.register("second")(Other)
    assert registry.names() == ("first", "second")
    assert registry.get("first") is first and isinstance(registry.get("second"), Other)
    assert registry.get(first) is first  # an instance is used as it is
    assert registry.name_of(first) == "first" and registry.name_of(Rule()) is None


def test_errors_name_the_argument_the_choices_and_the_closest():
    registry = RuleRegistry("thing", Rule)
    registry.register("gradient", Rule())
    with pytest.raises(ValueError, match=r"`thing` must be one of \('gradient',\) or a `Rule`\. "
                                         r"Received: thing='gradiant'\. Did you mean 'gradient'\?"):
        registry.get("gradiant")
    with pytest.raises(ValueError, match="already registered"):
        registry.register("gradient", Rule())
    registry.register("gradient", Other(), override=True)
    assert isinstance(registry.get("gradient"), Other)
    with pytest.raises(TypeError, match="must be a `Rule`"):
        registry.register("bad", "not a rule")
    with pytest.raises(ValueError, match="non-empty string"):
        registry.register("", Rule())


@pytest.mark.timeout(120)
def test_the_registries_import_without_tensorflow_or_keras():
    code = textwrap.dedent("""
        import sys
        import ftk.sparse.death_rate_schedules
        import ftk.sparse.density_distributions
        import ftk.sparse.growth_rules
        import ftk.sparse.prune_rules
        import ftk.sparse.redistributions
        import ftk.sparse
        ftk.sparse.register_growth_rule, ftk.sparse.DISTRIBUTIONS
        heavy = sorted(m for m in ("tensorflow", "keras") if m in sys.modules)
        print(heavy)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]"

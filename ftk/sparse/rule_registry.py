"""`RuleRegistry`: the named rules of one kind (prune, growth, ...), looked up by name.

Each kind of rule has its own small registry in its own module
(`prune_rules`, `growth_rules`, `death_rate_schedules`, `redistributions`,
`density_distributions`); this is the class they share. Pure standard
library, so recipes can validate names without TensorFlow.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Generic, TypeVar

Rule = TypeVar("Rule")


class RuleRegistry(Generic[Rule]):
    """Rules of one kind by name: every instance of `base`, registered once.

    A registered rule is an instance shared by every user of the name, so a
    rule keeps no state that changes during training.

    Args:
        argument: the argument that takes a rule of this kind, used in error
            messages, e.g. `"growth"`.
        base: the class every rule of this kind derives from.

    Example:

    ```python
    GROWTH_RULES = RuleRegistry("growth", RandomGrowth)
    GROWTH_RULES.register("random", RandomGrowth())
    GROWTH_RULES.get("random")  # the RandomGrowth instance
    GROWTH_RULES.get("rigl")  # ValueError: `growth` must be one of ('random',) ...
    ```
    """

    def __init__(self, argument: str, base: type[Rule]):
        self.argument = argument
        self.base = base
        self._rules: dict[str, Rule] = {}

    def register(
        self, name: str, rule: Rule | type[Rule] | None = None, *, override: bool = False
    ) -> Rule | type[Rule] | Callable[[type[Rule]], type[Rule]]:
        """Registers `rule` under `name`; without `rule`, returns a class decorator.

        Args:
            name: the name recipes and `ftk.DynamicSparsity` use.
            rule: an instance of `base`, or a subclass of `base` that takes no
                arguments (it is instantiated once). Defaults to `None`: the
                result decorates such a class.
            override: replace a rule already registered under `name`.
                Defaults to `False`.

        Returns:
            `rule` itself, or a decorator that registers a class and returns it.

        Raises:
            ValueError: if `name` is taken (and not `override`) or not a
                non-empty string.
            TypeError: if `rule` is not a `base`.
        """
        if rule is None:
            def decorate(cls: type[Rule]) -> type[Rule]:
                self.register(name, cls, override=override)
                return cls

            return decorate
        if not isinstance(name, str) or not name:
            raise ValueError(f"A {self.argument} name must be a non-empty string. Received: {name!r}")
        if name in self._rules and not override:
            raise ValueError(
                f"A {self.argument} rule named {name!r} is already registered "
                f"({self._rules[name]!r}). Pass `override=True` to replace it."
            )
        instance = rule() if isinstance(rule, type) and issubclass(rule, self.base) else rule
        if not isinstance(instance, self.base):
            raise TypeError(
                f"A {self.argument} rule must be a `{self.base.__name__}` (an instance or a "
                f"subclass). Received: {rule!r}"
            )
        self._rules[name] = instance
        return rule

    def get(self, rule: str | Rule) -> Rule:
        """Returns the rule registered as `rule`, or `rule` itself if it is a rule.

        Raises:
            ValueError: for a name that is not registered, naming the valid
                choices and the closest one.
            TypeError: for anything that is neither a name nor a `base`.
        """
        if isinstance(rule, self.base):
            return rule
        if not isinstance(rule, str):
            raise TypeError(
                f"`{self.argument}` must be a name in {self.names()} or a "
                f"`{self.base.__name__}`. Received: {self.argument}={rule!r}"
            )
        if rule not in self._rules:
            close = difflib.get_close_matches(rule, self.names(), n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"`{self.argument}` must be one of {self.names()} or a "
                f"`{self.base.__name__}`. Received: {self.argument}={rule!r}.{hint}"
            )
        return self._rules[rule]

    def names(self) -> tuple[str, ...]:
        """Returns the registered names, in the order they were registered."""
        return tuple(self._rules)

    def name_of(self, rule: Rule) -> str | None:
        """Returns the name `rule` is registered under, or `None`."""
        return next((name for name, known in self._rules.items() if known is rule), None)

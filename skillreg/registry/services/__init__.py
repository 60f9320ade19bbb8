"""State changes of the registry: plain keyword-only functions taking the actor and the time."""

from skillreg.registry.services.institutions import institution_register

__all__ = ["institution_register"]

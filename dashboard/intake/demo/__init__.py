"""Synthetic demo world: a telecom-like subscription business generated from a causal model.

A structural causal model simulated in weekly steps and vectorised over customers: latent
quality and a carried-over latent experience drive contacts, complaints, survey answers, spend
and churn, and four planted events (a regional service incident, a self-service launch, an FCR
programme in one segment, the churn drivers) are recorded with their parameters in the truth
tables. ``vocab`` holds the vocabularies, ``params`` the parameters, ``population``,
``operations`` and ``world`` the simulation, ``phrases`` the comment bank, ``truth`` the truth
tables and ``writer`` the raw-contract frames and ``generate``; ``locales`` writes the same
world in English or Persian (``phrases_fa`` is the Persian comment bank).
"""

from dashboard.intake.demo.writer import (
    PINNED_END_WEEK,
    assumptions,
    calendar,
    default_end_week,
    generate,
    world_locale,
)

__all__ = ["PINNED_END_WEEK", "assumptions", "calendar", "default_end_week", "generate",
           "world_locale"]

"""The budget engine (a Resource Allocation System): a Needs Profile and a configuration in, an explained
Estimate out. Pure Python: no web framework, database or translation import anywhere in this package.

Public API (a contract other code relies on): ``AREAS``, ``CLIENT_GROUPS``, ``SETTINGS``, ``NeedsProfile``,
``ProfileError``, ``Configuration``, ``ConfigurationError``, ``load_configuration``, ``loads_configuration``,
``demo_configuration``, ``estimate``, ``Estimate`` (with ``Line``, ``FunderShare``, ``Reason``, ``Change``,
``CareAccount``), ``apportion`` (one split over a whole estimate) and ``ENGINE_VERSION``; for a tool with its own areas of need (decision 0015) ``AreaProfile``,
``Profile`` and ``make_profile``. See docs/decisions/0004-engine.md.
"""

from portal.engine.calculator import ELIGIBLE_KEYS, ENGINE_VERSION, MODES, apportion, estimate
from portal.engine.config_errors import ConfigurationError
from portal.engine.configuration import (
    Configuration,
    demo_configuration,
    load_configuration,
    loads_configuration,
)
from portal.engine.profile import (
    AREAS,
    CLIENT_GROUPS,
    FACTORS,
    SETTINGS,
    AreaProfile,
    NeedsProfile,
    Profile,
    ProfileError,
    make_profile,
)
from portal.engine.result import EFFECTS, CareAccount, Change, Estimate, FunderShare, Line, Reason
from portal.engine.schema import FUNDERS

__all__ = [
    "AREAS",
    "CLIENT_GROUPS",
    "EFFECTS",
    "ELIGIBLE_KEYS",
    "ENGINE_VERSION",
    "FACTORS",
    "FUNDERS",
    "MODES",
    "SETTINGS",
    "AreaProfile",
    "CareAccount",
    "Change",
    "Configuration",
    "ConfigurationError",
    "Estimate",
    "FunderShare",
    "Line",
    "NeedsProfile",
    "Profile",
    "ProfileError",
    "Reason",
    "apportion",
    "demo_configuration",
    "estimate",
    "load_configuration",
    "loads_configuration",
    "make_profile",
]

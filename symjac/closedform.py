"""Compatibility name: the closed-form engine lives in :mod:`symjac.calculus.closedform`.

``from symjac.closedform import closed_form`` keeps working; new code imports
from :mod:`symjac` or :mod:`symjac.calculus.closedform`.
"""
from symjac.calculus.closedform import *  # noqa: F401,F403
from symjac.calculus.closedform import __all__  # noqa: F401

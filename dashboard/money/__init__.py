"""Money: CX in financial language.

Assumption sets (``assumptions``), the shared money inputs (``inputs``), the value model
(``value``), the Monte Carlo simulator (``simulate``) and the executive money headline
(``headline``). Imports ``analysis``, ``metrics`` and ``warehouse``.
"""

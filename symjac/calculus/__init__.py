"""symjac.calculus"""

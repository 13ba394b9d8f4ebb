"""symjac.checking"""

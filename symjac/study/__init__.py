"""symjac.study"""

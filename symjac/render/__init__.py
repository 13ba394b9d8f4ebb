"""symjac.render"""

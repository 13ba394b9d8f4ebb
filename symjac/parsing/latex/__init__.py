"""symjac.parsing.latex"""

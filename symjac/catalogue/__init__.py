"""symjac.catalogue"""

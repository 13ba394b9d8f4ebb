"""symjac.evaluate"""

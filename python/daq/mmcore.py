"""placeholder"""
class MMCore: pass

"""The care and support self-assessment portal.

Nothing is imported here at module level, so that ``import portal.engine`` (and the questionnaire) never
pulls in Flask: the app factory lives in :mod:`portal.app`.
"""

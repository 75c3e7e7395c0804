"""What the template's suite and its benchmark share.

Throwaway database servers (servers.py), the combinations of answers (combinations.py),
baking a project and running its commands (projects.py), serving an app with uvicorn
(services.py), and the credentials of a baked service's callers (identities.py).
"""

"""The environment generator: an API description (reference entry, MCP ``tools/list``, OpenAPI document) becomes
an :class:`~generators.environments.spec.ApiSpec`, then a v2 environment module, accepted only by executed checks
run in a sandbox (:mod:`generators.environments.gate`)."""

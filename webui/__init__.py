"""Flask doors: pages for people, a JSON API for systems.  Views translate and call handlers."""

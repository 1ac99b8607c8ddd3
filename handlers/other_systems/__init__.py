"""The municipality's other business systems (j1170, j1180): what each keeps of a person (``catalog``), the
answers to our 他業務照会 and what platform units send (``registrations``), the 照会 itself (``inquiry``) and
the file exchange with the regional information platform's units (``platform_*``).  Layouts:
docs/other-systems.md."""

"""Shared support for the test suite (never imported by the portal itself).

The tests stay in ``<app>/tests/test_*.py``; what they share lives here, one module per
kind of thing. Fixture modules are plugins of the root ``conftest.py``
(``pytest_plugins``), so their fixtures need no import.

Places and people
    ``regions``       the real villages, regencies and provinces; the ``regions`` fixture
    ``personas``      one account per role and region; the ``personas`` fixture
    ``residents``     sign-up data, residents with a confirmed identity
    ``numbers``       NIK and KK numbers for hand-written rows
    ``factories``     factory_boy factories for the main models (plausible Indonesian people)

Rows in a state
    ``households``    households already in the register
    ``proposals``     complete drafts, and proposals written straight into a status
    ``workflow``      proposals moved along the real workflow (musdes, visit, decrees)
    ``scoring``       households with chosen conditions, score models (eligibility)
    ``scoring_reference``  an independent reference of the score and desil rules
    ``results``       desils and programme results, as the public lookup shows them
    ``access_world``  one object of every routed kind, in and out of a region
    ``population_events``, ``audit_files``, ``linkage``  files for the imports,
                      the register audit and record linkage
    ``uploads``       photos and PDFs to upload, photos already stored
    ``images``        the upload path's samples (a KTP-like card as JPEG/PNG/HEIC, a 1-bit
                      PNG of any size), its messages, the check of a clean JPEG
    ``population_files``  rows of the population import and their CSV files

Clients and browsers
    ``otp``           TOTP devices and codes; ``force_login`` includes the second factor
    ``logins``        a test client logged in past the second factor
    ``api``           API clients with a token, the workflow API's URLs
    ``workflow_api``  the workflow API's request bodies, a proposal's status
    ``proposals_api`` the proposal API's URLs and bodies, a draft filled over it, every
                      endpoint of one proposal
    ``browser``       Playwright fixtures, ``log_in`` / ``logged_in`` / ``watch``
    ``urls``          a URL conf with a view that fails, for the error pages

Processes and faults
    ``markers``       the ``postgres`` / ``redis`` / ``browser`` markers (skip or fail)
    ``environment``   autouse surroundings of every test
    ``processes``     the test database's URL, ``wait_for``, the fault worker's command
    ``fault_worker``  a Celery worker with counted, slowable steps (``python -m``)
    ``slow_email``    an e-mail back end that takes its time
    ``tcp_proxy``     a proxy to cut PostgreSQL or Redis off and bring it back
    ``concurrency``   ``at_once``: one action in several threads at the same moment
"""

"""The store's routes, one router per resource; `create_app` includes them all.

meta          /v1/health, /v1/rules
submissions   POST /v1/submissions
trusts        /v1/trusts/{ods}/...: a trust's benefits, their versions, which hashes are held
national      /v1/national/...: summary, returns, exports (national token)
pages         the national web page at / (signed in with a national token)
"""

from __future__ import annotations

from xl_brm.national.routes import meta, national, pages, submissions, trusts

ROUTERS = (meta.router, submissions.router, trusts.router, national.router, pages.router)

__all__ = ["ROUTERS"]

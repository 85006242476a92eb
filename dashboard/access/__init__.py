"""Sign-in and roles: who may see and do what (``roles``), the data layer's scope (``scoped``),
grants and the audit log in the app-owned store (``store``)."""

"""The offline field app's browser side: its page (`/hors-ligne/`), its service worker (`/sw.js`).

The app itself is plain ES modules in `static/offline/`; it talks to the sync API (`/api/sync/`,
programme.offline) and keeps everything it downloads or records encrypted in IndexedDB.
"""

"""The dashboard: ``streamlit run app.py`` (or ``python3 dev.py app``).

A thin router: the page setup, the shared start (database on first run, language and
scope in the sidebar; :mod:`app_pages.common`) and the pages, one module each.
"""

import streamlit as st

from app_pages import common
from indicators import store

st.set_page_config(
    page_title="Belarus weekly indicators", page_icon=":material/monitoring:", layout="wide"
)
ctx = common.start()
try:
    st.navigation(common.pages(ctx.lang)).run()
except store.StoreError as error:  # a damaged or vanished file mid-page: one line, no traceback
    st.error(common.md(f"{ctx.t('db_unavailable')}: {error}"))

"""The yardstick of the browser timing test: a Streamlit page with one metric, served by
the same machine in the same run as the dashboard (``tests/test_browser.py``)."""

import streamlit as st

st.metric("Political prisoners", "1,450")

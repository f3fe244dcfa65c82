"""Workforce Picture: the entry point.  It only routes; each page lives in dashboard/pages/."""

import streamlit as st

st.set_page_config(page_title="Workforce Picture", layout="wide")

pages = [
    st.Page("dashboard/pages/overview.py", title="Overview", default=True),
]
st.navigation(pages).run()

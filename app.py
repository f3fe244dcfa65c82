"""Workforce Picture: the entry point.  It only routes; each page lives in dashboard/pages/."""

import streamlit as st

st.set_page_config(page_title="Workforce Picture", layout="wide")

pages = {
    "Workforce": [
        st.Page("dashboard/pages/overview.py", title="Overview", default=True),
    ],
    "Administration": [
        st.Page("dashboard/pages/data_health.py", title="Data health", url_path="data_health"),
    ],
}
st.navigation(pages).run()

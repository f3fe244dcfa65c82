"""Workforce Picture: the entry point.  It only routes: who sees which pages is decided in
dashboard/navigation.py, and each page lives in dashboard/pages/."""

import streamlit as st

from dashboard.navigation import serve

st.set_page_config(page_title="Workforce Picture", layout="wide")
serve()

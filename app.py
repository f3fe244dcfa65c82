"""Workforce Picture: the entry point.  It only routes; each page lives in dashboard/pages/."""

import streamlit as st

st.set_page_config(page_title="Workforce Picture", layout="wide")

pages = {
    "Workforce": [
        st.Page("dashboard/pages/overview.py", title="Overview", default=True),
        st.Page("dashboard/pages/workforce.py", title="Workforce", url_path="workforce"),
        st.Page("dashboard/pages/flows.py", title="Flows and turnover", url_path="flows"),
        st.Page("dashboard/pages/cost.py", title="Cost and efficiency", url_path="cost"),
    ],
    "Analysts": [
        st.Page("dashboard/pages/extracts.py", title="Extracts", url_path="extracts"),
    ],
    "Strategy office": [
        st.Page("dashboard/pages/programme.py", title="Programme", url_path="programme"),
    ],
    "Administration": [
        st.Page("dashboard/pages/data_health.py", title="Data health", url_path="data_health"),
    ],
}
st.navigation(pages).run()

"""Impact simulator — "What would an improvement be worth, and how sure are we?"
"""

import streamlit as st

st.title("Impact simulator")

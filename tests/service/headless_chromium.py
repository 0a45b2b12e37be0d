"""Debian's headless Chromium under Selenium (chromium, chromium-driver, python3-selenium)."""
import os

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def browser(profile_dir):
    """A headless Chromium with its profile in `profile_dir`. --no-sandbox: tests may run as
    root or in containers without user namespaces, where Chromium's sandbox cannot start."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1200,800", f"--user-data-dir={os.path.abspath(profile_dir)}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)

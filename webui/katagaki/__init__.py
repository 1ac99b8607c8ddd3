"""方書管理 (j260): the municipality's 方書 register, kept by supervisors and administrators."""

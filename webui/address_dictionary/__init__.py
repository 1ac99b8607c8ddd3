"""住所辞書管理 (j250): the municipality's address dictionary, kept by administrators."""
